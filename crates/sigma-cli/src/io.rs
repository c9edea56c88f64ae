//! Reading inputs, writing outputs (through a temporary file renamed into place), loading a
//! codebook, the one-line failure, and progress on a terminal.

use std::io::{self, IsTerminal, Read, Write};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use sigma_codec::codebook::Codebook;

/// A failure, as the one line `sigma` prints.
#[derive(Debug)]
pub(crate) struct Failure(pub(crate) String);

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Failure {
        Failure(e.to_string())
    }
}

impl Failure {
    /// `what: error`, for an error met while doing `what`.
    pub(crate) fn during(what: impl std::fmt::Display) -> impl FnOnce(sigma_codec::Error) -> Failure {
        move |e| Failure(format!("{what}: {e}"))
    }

    /// Prints the one line and gives the exit code.
    pub(crate) fn report(self) -> ExitCode {
        let one_line = self.0.replace('\n', " ");
        // If standard error is gone there is nowhere left to say so; the exit code still tells.
        let _unreported = writeln!(io::stderr(), "sigma: error: {one_line}");
        ExitCode::FAILURE
    }
}

/// The name of an input in messages: its path, or `(stdin)`.
pub(crate) fn name(path: Option<&Path>) -> String {
    path.map_or("(stdin)".to_owned(), |p| p.display().to_string())
}

/// The bytes of `path`, or of standard input.
pub(crate) fn read_input(path: Option<&Path>) -> Result<Vec<u8>, Failure> {
    match path {
        Some(path) => {
            std::fs::read(path).map_err(|e| Failure(format!("cannot read {}: {e}", path.display())))
        }
        None => {
            let mut bytes = Vec::new();
            io::stdin()
                .lock()
                .read_to_end(&mut bytes)
                .map_err(|e| Failure(format!("cannot read standard input: {e}")))?;
            Ok(bytes)
        }
    }
}

/// The text of `path`, or of standard input, which must be UTF-8.
pub(crate) fn read_text(path: Option<&Path>) -> Result<String, Failure> {
    into_text(&name(path), read_input(path)?)
}

/// `bytes` as text, or a failure naming `name` and the first byte that is not UTF-8.
pub(crate) fn into_text(name: &str, bytes: Vec<u8>) -> Result<String, Failure> {
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        if name == "(stdin)" {
            Failure(format!("input is not UTF-8 at byte {at}"))
        } else {
            Failure(format!("{name}: not UTF-8 at byte {at}"))
        }
    })
}

/// Writes `bytes` to `path` through a temporary file renamed into place, or to standard output.
pub(crate) fn write_output(path: Option<&Path>, bytes: &[u8]) -> Result<(), Failure> {
    let Some(path) = path else {
        let mut stdout = io::stdout().lock();
        return match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
            Ok(()) => Ok(()),
            // A reader that stopped early (`sigma decode | head`) is not our failure.
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
            Err(e) => Err(Failure(format!("cannot write standard output: {e}"))),
        };
    };
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let cannot = |e: &dyn std::fmt::Display| Failure(format!("cannot write {}: {e}", path.display()));
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(|e| cannot(&e))?;
    file.write_all(bytes).map_err(|e| cannot(&e))?;
    // The temporary file is private (0600); give the result the permissions a plain write would:
    // those of the file it replaces, or read-write for the owner and readable by others.
    let permissions = match std::fs::metadata(path) {
        Ok(existing) => Some(existing.permissions()),
        Err(_) => default_permissions(),
    };
    if let Some(permissions) = permissions {
        file.as_file().set_permissions(permissions).map_err(|e| cannot(&e))?;
    }
    file.persist(path).map_err(|e| cannot(&e.error))?;
    Ok(())
}

/// A line on standard error for people (not a failure); quiet if standard error is gone.
pub(crate) fn note(text: &str) {
    let _unreported = writeln!(io::stderr(), "sigma: {text}");
}

/// The codebook at `path`, if one is given.
pub(crate) fn load_codebook(path: Option<&Path>) -> Result<Option<Arc<Codebook>>, Failure> {
    let Some(path) = path else { return Ok(None) };
    let bytes = read_input(Some(path))?;
    let codebook =
        Codebook::from_bytes(&bytes).map_err(Failure::during(format!("codebook {}", path.display())))?;
    Ok(Some(Arc::new(codebook)))
}

/// A one-line progress report on standard error, only when it is a terminal and the job is long.
pub(crate) struct Progress {
    what: &'static str,
    total: usize,
    shown: Option<Instant>,
    started: Instant,
}

impl Progress {
    /// Jobs shorter than this many items stay quiet.
    const MIN_ITEMS: usize = 1000;

    pub(crate) fn new(what: &'static str, total: usize) -> Progress {
        let on = total >= Progress::MIN_ITEMS && io::stderr().is_terminal();
        let now = Instant::now();
        Progress { what, total, shown: on.then_some(now), started: now }
    }

    pub(crate) fn update(&mut self, done: usize) {
        let Some(last) = self.shown else { return };
        if last.elapsed().as_millis() >= 100 || done == self.total {
            let seconds = self.started.elapsed().as_secs_f64();
            let _unreported = write!(io::stderr(), "\r{} {done}/{} ({seconds:.1} s)", self.what, self.total);
            self.shown = Some(Instant::now());
        }
    }

    pub(crate) fn finish(self) {
        if self.shown.is_some() {
            let _unreported = writeln!(io::stderr());
        }
    }
}

#[cfg(unix)]
fn default_permissions() -> Option<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn default_permissions() -> Option<std::fs::Permissions> {
    None
}
