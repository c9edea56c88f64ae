//! A Python `str`'s UTF-8 without a copy or a second check: the one use of `unsafe` in this
//! crate.
//!
//! The stable ABI of CPython 3.9 reaches a string's UTF-8 only through
//! `PyUnicode_AsUTF8String`, which makes a new `bytes` object per call; that was most of the
//! time of turning a document into a tree. `PyUnicode_AsUTF8AndSize` returns the UTF-8 the
//! string object keeps (for an ASCII string, its own data) with no allocation after the first
//! call. It is in the stable ABI from 3.10 and a public C API function, with this signature, in
//! every CPython 3.x, so 3.9 has it too.

#![allow(unsafe_code)]

use std::os::raw::c_char;

use pyo3::ffi::{Py_ssize_t, PyObject};
use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::errors::{self, Kind};

unsafe extern "C" {
    fn PyUnicode_AsUTF8AndSize(unicode: *mut PyObject, size: *mut Py_ssize_t) -> *const c_char;
}

/// The UTF-8 of `s`, borrowed from the string object. A string holding a lone surrogate has no
/// UTF-8: an `EncodeError`.
pub(crate) fn utf8<'a>(s: &'a Bound<'_, PyString>) -> PyResult<&'a str> {
    let mut size: Py_ssize_t = 0;
    // SAFETY: `s` is a live `str` object (the `Bound` holds a reference and the GIL), and
    // `size` is a valid place for the length. The call either fails (null, with an exception
    // set) or returns a pointer to `size` bytes of UTF-8 that the string object owns.
    let data = unsafe { PyUnicode_AsUTF8AndSize(s.as_ptr(), &mut size) };
    if data.is_null() {
        let cause = PyErr::take(s.py()).map_or_else(|| "no UTF-8".to_owned(), |e| e.to_string());
        return Err(errors::raise(Kind::Encode, format!("a str that is not valid UTF-8: {cause}"), None));
    }
    let len =
        usize::try_from(size).map_err(|_| errors::raise(Kind::Encode, "a str of negative length", None))?;
    // SAFETY: CPython returned `len` bytes at `data`, kept alive by the string object, which
    // outlives the borrow `'a` of `s`; the string is immutable, so they do not change meanwhile.
    let bytes = unsafe { std::slice::from_raw_parts(data.cast::<u8>(), len) };
    debug_assert!(std::str::from_utf8(bytes).is_ok(), "CPython gave invalid UTF-8");
    // SAFETY: `PyUnicode_AsUTF8AndSize` returns the UTF-8 encoding of the string, which CPython
    // makes from its code points and refuses for lone surrogates (the null case above): always
    // valid UTF-8. (Checking it again took a sixth of the time of `dumps` on text-heavy data.)
    Ok(unsafe { std::str::from_utf8_unchecked(bytes) })
}
