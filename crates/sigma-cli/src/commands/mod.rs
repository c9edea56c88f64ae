//! One module per `sigma` command, each with its arguments (`Args`) and its `run`.

pub(crate) mod analogy;
pub(crate) mod bank;
pub(crate) mod decode;
pub(crate) mod encode;
pub(crate) mod extract;
pub(crate) mod inspect;
pub(crate) mod kg;
pub(crate) mod stats;
pub(crate) mod stream;
pub(crate) mod train;
