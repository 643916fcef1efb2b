//! Shared workloads for the criterion benchmarks of interphase.
#![forbid(unsafe_code)]
