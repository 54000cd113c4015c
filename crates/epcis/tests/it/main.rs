mod conformance;
mod hash_vectors;
mod properties;
mod trace;
