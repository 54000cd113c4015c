mod hash_vectors;
