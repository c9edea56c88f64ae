//! Rust errors as the package's Python exceptions (defined in `sigmalang_rs/_errors.py`), with
//! the byte offset and the limit's name as attributes.

use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyType};

/// The exception classes, by name (each looked up once per interpreter).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Decode,
    LimitExceeded,
    Encode,
    UnsupportedType,
    Tree,
    Session,
    Codebook,
    Text,
    Bank,
}

impl Kind {
    fn class<'py>(self, py: Python<'py>) -> PyResult<&'py Bound<'py, PyType>> {
        static DECODE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
        static LIMIT: PyOnceLock<Py<PyType>> = PyOnceLock::new();
        static ENCODE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
        static UNSUPPORTED: PyOnceLock<Py<PyType>> = PyOnceLock::new();
        static TREE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
        static SESSION: PyOnceLock<Py<PyType>> = PyOnceLock::new();
        static CODEBOOK: PyOnceLock<Py<PyType>> = PyOnceLock::new();
        static TEXT: PyOnceLock<Py<PyType>> = PyOnceLock::new();
        static BANK: PyOnceLock<Py<PyType>> = PyOnceLock::new();
        let (cell, name) = match self {
            Kind::Decode => (&DECODE, "DecodeError"),
            Kind::LimitExceeded => (&LIMIT, "LimitExceeded"),
            Kind::Encode => (&ENCODE, "EncodeError"),
            Kind::UnsupportedType => (&UNSUPPORTED, "UnsupportedType"),
            Kind::Tree => (&TREE, "TreeError"),
            Kind::Session => (&SESSION, "SessionError"),
            Kind::Codebook => (&CODEBOOK, "CodebookError"),
            Kind::Text => (&TEXT, "TextError"),
            Kind::Bank => (&BANK, "BankError"),
        };
        cell.import(py, "sigmalang_rs._errors", name)
    }
}

/// A Python exception of `kind` with `message` and the given attributes.
pub(crate) fn raise(kind: Kind, message: impl Into<String>, offset: Option<usize>) -> PyErr {
    Python::attach(|py| build(py, kind, message.into(), offset, None))
}

fn build(
    py: Python<'_>,
    kind: Kind,
    message: String,
    offset: Option<usize>,
    limit: Option<(&'static str, u64, u64)>,
) -> PyErr {
    let made = (|| -> PyResult<PyErr> {
        let class = kind.class(py)?;
        let kwargs = PyDict::new(py);
        kwargs.set_item("offset", offset)?;
        if let Some((name, found, max)) = limit {
            kwargs.set_item("limit", name)?;
            kwargs.set_item("found", found)?;
            kwargs.set_item("maximum", max)?;
        }
        let exception = class.call((message.as_str(),), Some(&kwargs))?;
        Ok(PyErr::from_value(exception))
    })();
    // Only a broken installation (the package's own `_errors` module missing) gets here.
    made.unwrap_or_else(|e| PyException::new_err(format!("{message} (and raising it failed: {e})")))
}

/// Where a codec error came from: decoding bytes or encoding a tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Side {
    Decode,
    Encode,
}

/// A `sigma_codec` error as its exception: a limit as `LimitExceeded` (at any depth inside a
/// frame or batch), a session problem as `SessionError`, a codebook's as `CodebookError`,
/// anything else as `DecodeError` or `EncodeError` by `side`.
pub(crate) fn codec(error: sigma_codec::Error, side: Side) -> PyErr {
    use sigma_codec::Error as E;
    let offset = error.offset();
    let mut message = error.to_string();
    let mut inner = &error;
    while let E::Frame { source, .. } | E::InBatch { source, .. } = inner {
        inner = source;
    }
    let (kind, limit) = match inner {
        E::LimitExceeded { limit, found, max, .. } => {
            // The message names the command-line option; from Python the setting is a field.
            message = message.replace(limit.option(), &format!("Limits({}=...)", limit.name()));
            (Kind::LimitExceeded, Some((limit.name(), *found, *max)))
        }
        E::Session(sigma_codec::SessionError::InvalidConfig { .. }) => (Kind::Encode, None),
        E::Session(_) => (Kind::Session, None),
        E::Frame { .. } | E::InBatch { .. } => (Kind::Session, None),
        E::Codebook(_) => (Kind::Codebook, None),
        E::Tree(sigma_tree::Error::NotJson { .. }) => (Kind::Tree, None),
        _ if side == Side::Decode => (Kind::Decode, None),
        _ => (Kind::Encode, None),
    };
    Python::attach(|py| build(py, kind, message, offset, limit))
}

/// A `sigma_tree` error (a tree too large, bad tree JSON, a tree that is not a JSON value's).
pub(crate) fn tree(error: sigma_tree::Error) -> PyErr {
    let offset = error.offset();
    let kind = match error {
        sigma_tree::Error::NotJson { .. } => Kind::Tree,
        _ if offset.is_some() => Kind::Decode,
        _ => Kind::Encode,
    };
    raise(kind, error.to_string(), offset)
}
