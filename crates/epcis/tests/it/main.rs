mod conformance;
mod hash_vectors;
mod trace;
