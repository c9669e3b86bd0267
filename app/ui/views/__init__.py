"""Page sections that are called once from a page: each shows one feature end to end."""
