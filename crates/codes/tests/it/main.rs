//! Integration tests of the identifier crate: published fixtures, round trips and hostile input.

mod fixtures;
mod properties;
mod regions;
