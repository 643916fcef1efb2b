//! Generated data tables (crates/materials/tools/gen_tables.py).

#[rustfmt::skip]
pub(crate) mod elements;
#[rustfmt::skip]
pub(crate) mod shannon;
