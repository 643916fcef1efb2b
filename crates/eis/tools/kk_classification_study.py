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

The whiteness variants judge by the lag-1 autocorrelation test of the
residuals (`whiteness["z"] <= 3`, complex fits only) instead of, or besides,
the 1 % threshold. NOISE (fraction of |Z|, default 0.0025), PPD (points per
decade over 8 decades, default 10) and DRIFT (the 0.05 above) vary the mix;
`--only-white` runs just the whiteness variants.

Run (with the Python package installed):
    python3 crates/eis/tools/kk_classification_study.py [N] [SEED] [NOISE] [PPD] [DRIFT] [--only-white]
"""
import numpy as np, sys
from interphase import eis
only_white="--only-white" in sys.argv
argv=[a for a in sys.argv if a!="--only-white"]
rng=np.random.default_rng(int(argv[2]) if len(argv)>2 else 26)
N=int(argv[1]) if len(argv)>1 else 20
NOISE=float(argv[3]) if len(argv)>3 else 0.0025
PPD=int(argv[4]) if len(argv)>4 else 10
DRIFT=float(argv[5]) if len(argv)>5 else 0.05
f=10**(6-np.arange(8*PPD+1)/PPD)
def cell(warburg):
    r0=rng.uniform(5,50); r1=rng.uniform(100,2000); q1=10**rng.uniform(-9,-7); a1=rng.uniform(0.8,1.0)
    r2=rng.uniform(100,3000); q2=10**rng.uniform(-7,-5); a2=rng.uniform(0.7,0.95)
    if warburg:
        c=eis.Circuit('R0-p(R1,CPE1)-p(R2,CPE2)-W1'); p=[r0,r1,q1,a1,r2,q2,a2,rng.uniform(50,500)]
    else:
        c=eis.Circuit('R0-p(R1,CPE1)-p(R2,CPE2)'); p=[r0,r1,q1,a1,r2,q2,a2]
    z=c.impedance(f,p)
    return z
def noisy(z): return z+NOISE*np.abs(z)*(rng.standard_normal(z.size)+1j*rng.standard_normal(z.size))
def drift(z):
    z=z.copy(); n=z.size; k=np.arange(n); return z*(1+DRIFT*(k/n)**2)
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
VALIDATION=dict(method="pseudo_chi2",fit_type="complex",add_capacitance=True)
# (keywords, judge by the 1 % threshold, judge by whiteness z <= 3)
white={
 "validation: whiteness z <= 3": (VALIDATION,False,True),
 "validation: z <= 3 and max <= 1%": (VALIDATION,True,True),
}
if only_white: methods={}
judge={m:(kw,True,False) for m,kw in methods.items()}
judge.update(white)
split={m:[0,0,0,0] for m in judge}
res={m:[0,0] for m in judge}
for i in range(N):
    w=(i%2==0)
    z0=cell(w); zv=noisy(z0); zd=noisy(drift(z0))
    for m,(kw,by_size,by_white) in judge.items():
        for j,z in enumerate((zv,zd)):
            r=eis.lin_kk(f,z,**kw)
            mx=max(np.abs(r["residuals_re"]).max(),np.abs(r["residuals_im"]).max())
            passed = (not by_size or mx<=0.01) and (not by_white or r["whiteness"]["z"]<=3.0)
            if j==0 and passed: res[m][0]+=1; split[m][0 if w else 1]+=1
            if j==1 and not passed: res[m][1]+=1
print(f"{N} valid and {N} drifting spectra (half with a Warburg tail), {100*NOISE:g}% noise, {PPD} points a decade, drift {DRIFT:g}")
for m,(a,b) in res.items():
    print(f"{m:32s} valid passed {a}/{N} (Warburg {split[m][0]}/{N//2}, none {split[m][1]}/{N//2})   drifting failed {b}/{N}")
