//! Statistics for zhiliang: confidence intervals for a binomial proportion (pass rates, 合格率), stratified
//! and weighted-sample survey estimates with their design effects, and two-period comparisons.
//!
//! Pure: no IO. The special functions are written here and refined to full double precision, because the
//! reference values the estimates are checked against are given to 1e-9.

pub mod disproportionality;
pub mod distributions;
pub mod gps;
pub mod proportion;
pub mod survey;

pub use proportion::{interval, Interval, Method, ProportionError};
