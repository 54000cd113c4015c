//! Statistics for zhiliang: confidence intervals for a binomial proportion (pass rates, 合格率), stratified
//! and weighted-sample survey estimates with their design effects, two-period comparisons, and the statistics
//! behind risk signals: disproportionality and shrinkage (`disproportionality`, `gps`), temporal detectors
//! (`temporal`) and attribute control charts (`spc`).
//!
//! Pure: no IO. The special functions are written here and refined to full double precision, because the
//! reference values the estimates are checked against are given to 1e-9.

pub mod disproportionality;
pub mod distributions;
pub mod glm;
pub mod gps;
pub mod proportion;
pub mod spc;
pub mod survey;
pub mod temporal;

pub use proportion::{interval, Interval, Method, ProportionError};
