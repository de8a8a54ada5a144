//! Holds nothing: the `tests` package exists for its single end-to-end binary, `e2e/main.rs`.
