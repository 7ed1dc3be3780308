"""The seed graph: the first source's facts as data, and the loader that writes them."""
