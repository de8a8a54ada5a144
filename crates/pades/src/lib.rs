//! The PAdES engine: signing levels B-B to B-LTA, the Decree 30 two-signature flow, and two-phase
//! remote signing, over the `pdf` and `crypto` adapters. It knows nothing of the database and is usable
//! on its own (`vanthu sign` needs no database), as pyHanko or EU DSS are.
