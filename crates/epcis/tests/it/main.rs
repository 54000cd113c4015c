mod conformance;
mod hash_vectors;
