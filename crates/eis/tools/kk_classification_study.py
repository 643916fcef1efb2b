"""How well the Lin-KK variants tell valid from drifting spectra (issue 26).

Synthetic cells R0-p(R1,CPE1)-p(R2,CPE2), half of them with a Warburg tail
(-W1), parameters drawn at random (numpy seed, default 26); 81 frequencies
from 1 MHz to 10 mHz (10 a decade); complex Gaussian noise of 0.25 % of |Z|
on each part. Each cell once as it is (valid) and once with a smooth
multiplicative drift growing towards the low frequencies, 1 + 0.05 (k/n)^2
(k the point index, the sweep running from high to low frequency: the slow
end of a measurement). A spectrum passes when every |residual| is at most
1 % of |Z| (4 noise sigma). Prints, for each variant, how many valid spectra
pass (split by Warburg tail or none) and how many drifting ones fail.

Run (with the Python package installed):
    python3 crates/eis/tools/kk_classification_study.py [N] [SEED]
"""
import numpy as np, sys
from interphase import eis
rng=np.random.default_rng(int(sys.argv[2]) if len(sys.argv)>2 else 26)
N=int(sys.argv[1]) if len(sys.argv)>1 else 20
f=10**(6-0.1*np.arange(81))
def cell(warburg):
    r0=rng.uniform(5,50); r1=rng.uniform(100,2000); q1=10**rng.uniform(-9,-7); a1=rng.uniform(0.8,1.0)
    r2=rng.uniform(100,3000); q2=10**rng.uniform(-7,-5); a2=rng.uniform(0.7,0.95)
    if warburg:
        c=eis.Circuit('R0-p(R1,CPE1)-p(R2,CPE2)-W1'); p=[r0,r1,q1,a1,r2,q2,a2,rng.uniform(50,500)]
    else:
        c=eis.Circuit('R0-p(R1,CPE1)-p(R2,CPE2)'); p=[r0,r1,q1,a1,r2,q2,a2]
    z=c.impedance(f,p)
    return z
def noisy(z): return z+0.0025*np.abs(z)*(rng.standard_normal(z.size)+1j*rng.standard_normal(z.size))
def drift(z):
    z=z.copy(); n=z.size; k=np.arange(n); return z*(1+0.05*(k/n)**2)
methods={
 "mu (impedance.py)": dict(),
 "pseudo_chi2": dict(method="pseudo_chi2"),
 "fixed 40": dict(c=None,max_M=40),
 "pseudo_chi2 + C": dict(method="pseudo_chi2",add_capacitance=True),
 "admittance pseudo_chi2": dict(method="pseudo_chi2",admittance=True),
 "admittance fixed 40": dict(c=None,max_M=40,admittance=True),
 "complex pseudo_chi2": dict(method="pseudo_chi2",fit_type="complex"),
 "complex pseudo_chi2 + C": dict(method="pseudo_chi2",fit_type="complex",add_capacitance=True),
 "complex admittance pseudo_chi2": dict(method="pseudo_chi2",fit_type="complex",admittance=True),
}
split={m:[0,0,0,0] for m in methods}
res={m:[0,0] for m in methods}
for i in range(N):
    w=(i%2==0)
    z0=cell(w); zv=noisy(z0); zd=noisy(drift(z0))
    for m,kw in methods.items():
        for j,z in enumerate((zv,zd)):
            r=eis.lin_kk(f,z,**kw)
            mx=max(np.abs(r["residuals_re"]).max(),np.abs(r["residuals_im"]).max())
            passed = mx<=0.01
            if j==0 and passed: res[m][0]+=1; split[m][0 if w else 1]+=1
            if j==1 and not passed: res[m][1]+=1
print(f"{N} valid and {N} drifting spectra (half with a Warburg tail), 0.25% noise, threshold 1%")
for m,(a,b) in res.items():
    print(f"{m:32s} valid passed {a}/{N} (Warburg {split[m][0]}/{N//2}, none {split[m][1]}/{N//2})   drifting failed {b}/{N}")
