//! The bank: a tantivy index in a directory, one document per item.
//!
//! | field | store | holds |
//! |---|---|---|
//! | `id` | indexed, stored, fast (column) | the item's id |
//! | `kind` | stored | [`ItemKind`] code |
//! | `tree` | stored (zstd blocks) | the tree as v2 bytes, checksummed |
//! | `words` | indexed with term frequencies and field lengths | the terms of [`crate::words`] |
//! | `shape` | indexed | the tree's MinHash band keys (`sigma_delta::similar::band_keys`) |
//! | `sketch0`–`sketch7` | fast (columns) | the low byte of each of the 64 MinHash bins |
//!
//! The next id lives in the commit payload, written with each commit in the same atomic step
//! (tantivy replaces `meta.json` by rename), so ids never repeat, even after the newest item is
//! removed or an add is interrupted.

use std::path::{Path, PathBuf};

use sigma_codec::DecodeLimits;
use sigma_codec::v2::Decoder;
use tantivy::collector::DocSetCollector;
use tantivy::directory::error::{LockError, OpenDirectoryError};
use tantivy::query::TermQuery;
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::store::{Compressor, ZstdCompressor};
use tantivy::{
    DocAddress, Index, IndexReader, IndexSettings, IndexWriter, ReloadPolicy, Searcher, TantivyDocument,
    TantivyError, Term,
};

use crate::error::BankError;
use crate::item::{Item, ItemKind};
use crate::words::{TOKENIZER, WordTokenizer};

/// The bank format's version, written in every commit's payload.
pub const FORMAT_VERSION: u64 = 1;
/// The marker in the commit payload that tells a ΣLANG bank from another tantivy index.
const FORMAT_NAME: &str = "sigma-bank";
/// zstd level of the stored trees (docs/BANK.md has the levels and block sizes measured).
const ZSTD_LEVEL: i32 = 3;
/// Bytes of stored trees compressed together: reading one item decompresses its block, so
/// larger blocks compress better but make every `get` and every shape candidate slower.
const BLOCK_SIZE: usize = 16 * 1024;
/// The writer's memory budget per indexing thread, in bytes.
const BUDGET_PER_THREAD: usize = 64 << 20;

/// The schema's fields.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Fields {
    pub(crate) id: Field,
    pub(crate) kind: Field,
    pub(crate) tree: Field,
    pub(crate) words: Field,
    pub(crate) shape: Field,
    /// The MinHash signature's bins, one byte each (their low 8 bits), eight to a column.
    pub(crate) sketch: [Field; SKETCH_COLUMNS],
}

/// Columns of the signature sketch: 64 bins of one byte, eight bins to a `u64`.
pub(crate) const SKETCH_COLUMNS: usize = sigma_delta::similar::SIGNATURE_LEN / 8;

/// The name of sketch column `c`.
pub(crate) fn sketch_field(c: usize) -> String {
    format!("sketch{c}")
}

/// The sketch of a sorted feature set: the low byte of each MinHash bin, packed eight to a word
/// (bin `8c + b` in byte `b` of word `c`).
pub(crate) fn sketch(features: &[u64]) -> [u64; SKETCH_COLUMNS] {
    let sig = sigma_delta::similar::signature(features);
    let mut out = [0; SKETCH_COLUMNS];
    for (word, bins) in out.iter_mut().zip(sig.chunks(8)) {
        *word = bins.iter().enumerate().fold(0, |w, (b, &bin)| w | ((bin & 0xFF) << (8 * b)));
    }
    out
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let id = builder.add_u64_field("id", INDEXED | STORED | FAST);
    let kind = builder.add_u64_field("kind", STORED);
    let tree = builder.add_bytes_field("tree", STORED);
    let words = builder.add_text_field(
        "words",
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(TOKENIZER)
                .set_index_option(IndexRecordOption::WithFreqs),
        ),
    );
    let shape = builder.add_u64_field("shape", INDEXED);
    let sketch = std::array::from_fn(|c| builder.add_u64_field(&sketch_field(c), FAST));
    (builder.build(), Fields { id, kind, tree, words, shape, sketch })
}

/// What a commit records beside the segments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Payload {
    pub(crate) next_id: u64,
}

impl Payload {
    fn to_json(self) -> String {
        serde_json::json!({ "format": FORMAT_NAME, "version": FORMAT_VERSION, "next_id": self.next_id })
            .to_string()
    }

    fn from_json(path: &Path, text: Option<&str>) -> Result<Payload, BankError> {
        let foreign = |reason: &str| BankError::Foreign { path: path.to_owned(), reason: reason.to_owned() };
        let text = text.ok_or_else(|| foreign("its last commit carries no ΣLANG bank payload"))?;
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|_| foreign("its commit payload is not a ΣLANG bank's"))?;
        if value.get("format").and_then(|f| f.as_str()) != Some(FORMAT_NAME) {
            return Err(foreign("its commit payload is not a ΣLANG bank's"));
        }
        match value.get("version").and_then(serde_json::Value::as_u64) {
            Some(FORMAT_VERSION) => {}
            Some(v) => {
                return Err(foreign(&format!("bank format version {v}; this build reads {FORMAT_VERSION}")));
            }
            None => return Err(foreign("its commit payload has no version")),
        }
        let next_id = value.get("next_id").and_then(serde_json::Value::as_u64).ok_or_else(|| {
            BankError::Damaged { path: path.to_owned(), reason: "the commit payload has no next id".into() }
        })?;
        Ok(Payload { next_id })
    }
}

/// Options for opening a bank.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BankOptions {
    /// Limits every item read back is decoded within.
    pub limits: DecodeLimits,
    /// Indexing threads of a writer (at least 1).
    pub writer_threads: usize,
    /// Check every store file against its checksum when opening (reads the whole bank once;
    /// see [`Bank::open_with`]).
    pub check_files: bool,
}

impl Default for BankOptions {
    fn default() -> BankOptions {
        BankOptions {
            limits: DecodeLimits::DEFAULT,
            writer_threads: std::thread::available_parallelism().map_or(1, |n| n.get().min(4)),
            check_files: true,
        }
    }
}

/// A persistent bank of trees. Open it once and share it (`Bank` is `Send + Sync`): any number
/// of threads search and read while one [`BankWriter`] adds and removes.
pub struct Bank {
    path: PathBuf,
    index: Index,
    reader: IndexReader,
    pub(crate) fields: Fields,
    options: BankOptions,
}

impl std::fmt::Debug for Bank {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bank").field("path", &self.path).finish_non_exhaustive()
    }
}

/// Figures about a bank.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stats {
    /// Items held.
    pub items: u64,
    /// The id the next item added will get.
    pub next_id: u64,
    /// Store segments (each a set of files; merges bring them together).
    pub segments: usize,
    /// Removed items whose space a merge has not reclaimed yet.
    pub removed_pending: u64,
    /// Bytes of the files in the bank's directory.
    pub bytes_on_disk: u64,
}

impl Bank {
    /// Creates a bank in `path`, a new or empty directory.
    pub fn create(path: impl AsRef<Path>) -> Result<Bank, BankError> {
        Bank::create_with(path, BankOptions::default())
    }

    /// [`Bank::create`] with options.
    pub fn create_with(path: impl AsRef<Path>, options: BankOptions) -> Result<Bank, BankError> {
        let path = path.as_ref().to_owned();
        let store = |source| BankError::Store { path: path.clone(), source };
        std::fs::create_dir_all(&path).map_err(|e| store(e.into()))?;
        if std::fs::read_dir(&path).map_err(|e| store(e.into()))?.next().is_some() {
            return Err(BankError::NotEmpty { path });
        }
        let (schema, _) = schema();
        let settings = IndexSettings {
            docstore_compression: Compressor::Zstd(ZstdCompressor { compression_level: Some(ZSTD_LEVEL) }),
            docstore_blocksize: BLOCK_SIZE,
            ..IndexSettings::default()
        };
        let index = Index::builder().schema(schema).settings(settings).create_in_dir(&path).map_err(store)?;
        // The first commit carries the payload that marks the directory as a bank.
        let bank = Bank::with_index(path, index, options)?;
        let mut writer = bank.index_writer()?;
        let mut commit = writer.prepare_commit().map_err(|e| bank.store_error(e))?;
        commit.set_payload(&Payload { next_id: 0 }.to_json());
        commit.commit().map_err(|e| bank.store_error(e))?;
        bank.reader.reload().map_err(|e| bank.store_error(e))?;
        Ok(bank)
    }

    /// Opens the bank in `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<Bank, BankError> {
        Bank::open_with(path, BankOptions::default())
    }

    /// [`Bank::open`] with options.
    ///
    /// With `check_files` (the default), every file of the last commit is checked against the
    /// checksum tantivy wrote in its footer before anything is read from it, so a bank damaged
    /// on disk is refused here with the file named. That reads the whole bank once (a whole
    /// `sigma bank get` on a 36 MB bank in the page cache, the check included, takes 11 ms here). Without it, damage is found when the damaged part is read:
    /// items by v2's checksum, and the store's own structures by its checks, with a panic inside
    /// the store caught and reported as [`BankError::Damaged`].
    pub fn open_with(path: impl AsRef<Path>, options: BankOptions) -> Result<Bank, BankError> {
        let path = path.as_ref().to_owned();
        if !path.join("meta.json").is_file() {
            return Err(BankError::NotFound { path });
        }
        guarded(&path, || Bank::open_checked(path.clone(), options))
    }

    fn open_checked(path: PathBuf, options: BankOptions) -> Result<Bank, BankError> {
        let index = Index::open_in_dir(&path).map_err(|source| classify(&path, source))?;
        let (expected, _) = schema();
        if index.schema() != expected {
            return Err(BankError::Foreign { path, reason: "its fields are not a ΣLANG bank's".into() });
        }
        if options.check_files {
            check_files(&path, &index)?;
        }
        let bank = Bank::with_index(path, index, options)?;
        bank.payload()?;
        Ok(bank)
    }

    /// Opens the bank in `path`, creating it if the directory does not exist or is empty.
    pub fn open_or_create(path: impl AsRef<Path>) -> Result<Bank, BankError> {
        let path = path.as_ref();
        let empty = std::fs::read_dir(path).map_or(true, |mut entries| entries.next().is_none());
        if empty { Bank::create(path) } else { Bank::open(path) }
    }

    fn with_index(path: PathBuf, index: Index, options: BankOptions) -> Result<Bank, BankError> {
        index.tokenizers().register(TOKENIZER, WordTokenizer::default());
        let (_, fields) = schema();
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()
            .map_err(|source| classify(&path, source))?;
        Ok(Bank { path, index, reader, fields, options })
    }

    /// The bank's directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The limits items are decoded within.
    pub fn limits(&self) -> &DecodeLimits {
        &self.options.limits
    }

    /// The last commit's payload.
    fn payload(&self) -> Result<Payload, BankError> {
        let metas = self.index.load_metas().map_err(|source| classify(&self.path, source))?;
        Payload::from_json(&self.path, metas.payload.as_deref())
    }

    pub(crate) fn store_error(&self, source: TantivyError) -> BankError {
        classify(&self.path, source)
    }

    fn index_writer(&self) -> Result<IndexWriter, BankError> {
        let threads = self.options.writer_threads.max(1);
        self.index.writer_with_num_threads(threads, threads * BUDGET_PER_THREAD).map_err(
            |source| match source {
                TantivyError::LockFailure(LockError::LockBusy, _) => {
                    BankError::Busy { path: self.path.clone() }
                }
                other => self.store_error(other),
            },
        )
    }

    /// A searcher on the last commit this process has seen.
    pub(crate) fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    /// Sees the last commit now (a commit from another process is otherwise seen within about
    /// half a second; this process's own commits at once).
    pub fn refresh(&self) -> Result<(), BankError> {
        self.reader.reload().map_err(|e| self.store_error(e))
    }

    /// The writer: adds and removes items, all made visible at once by [`BankWriter::commit`].
    /// One writer at a time per bank, across processes: another gets [`BankError::Busy`].
    pub fn writer(&self) -> Result<BankWriter<'_>, BankError> {
        let writer = self.index_writer()?;
        let next_id = self.payload()?.next_id;
        Ok(BankWriter {
            bank: self,
            writer,
            first_id: next_id,
            next_id,
            text: String::new(),
            removed: hashbrown::HashSet::new(),
        })
    }

    /// Adds `items` in one commit and returns their ids, in order.
    pub fn add(&self, items: &[Item]) -> Result<std::ops::Range<u64>, BankError> {
        let mut writer = self.writer()?;
        let ids = writer.add_batch(items)?;
        writer.commit()?;
        Ok(ids)
    }

    /// Removes the item `id` in one commit; false if the bank holds no such item.
    pub fn remove(&self, id: u64) -> Result<bool, BankError> {
        let mut writer = self.writer()?;
        let removed = writer.remove(id)?;
        if removed {
            writer.commit()?;
        }
        Ok(removed)
    }

    /// Whether the bank holds item `id`.
    pub fn contains(&self, id: u64) -> Result<bool, BankError> {
        guarded(&self.path, || Ok(self.address(&self.searcher(), id)?.is_some()))
    }

    /// The item `id`, decoded within the bank's limits and checked (v2's checksum), or `None`
    /// if the bank holds no such item.
    pub fn get(&self, id: u64) -> Result<Option<Item>, BankError> {
        guarded(&self.path, || self.get_unguarded(id))
    }

    fn get_unguarded(&self, id: u64) -> Result<Option<Item>, BankError> {
        let searcher = self.searcher();
        let Some(address) = self.address(&searcher, id)? else { return Ok(None) };
        let mut decoder = Decoder::new(self.options.limits);
        let mut item = Item::scratch();
        self.read(&searcher, address, &mut decoder, &mut item)?;
        Ok(Some(item))
    }

    /// The address of item `id` in `searcher`'s view.
    pub(crate) fn address(&self, searcher: &Searcher, id: u64) -> Result<Option<DocAddress>, BankError> {
        let query = TermQuery::new(Term::from_field_u64(self.fields.id, id), IndexRecordOption::Basic);
        let found = searcher.search(&query, &DocSetCollector).map_err(|e| self.store_error(e))?;
        match found.len() {
            0 => Ok(None),
            1 => Ok(found.into_iter().next()),
            n => {
                Err(BankError::Damaged { path: self.path.clone(), reason: format!("{n} items hold id {id}") })
            }
        }
    }

    /// Reads the item at `address` into `item`, reusing its tree.
    pub(crate) fn read(
        &self,
        searcher: &Searcher,
        address: DocAddress,
        decoder: &mut Decoder,
        item: &mut Item,
    ) -> Result<u64, BankError> {
        let doc: TantivyDocument = searcher.doc(address).map_err(|e| self.store_error(e))?;
        let damaged = |reason: String| BankError::Damaged { path: self.path.clone(), reason };
        let id = doc
            .get_first(self.fields.id)
            .and_then(|v| v.as_u64())
            .ok_or_else(|| damaged(format!("a stored item without an id at {address:?}")))?;
        let code = doc.get_first(self.fields.kind).and_then(|v| v.as_u64());
        item.kind = code
            .and_then(ItemKind::from_code)
            .ok_or_else(|| damaged(format!("item {id} has no kind this build knows ({code:?})")))?;
        let bytes = doc
            .get_first(self.fields.tree)
            .and_then(|v| v.as_bytes())
            .ok_or_else(|| damaged(format!("item {id} has no stored tree")))?;
        decoder.decode_into(bytes, &mut item.tree).map_err(|source| BankError::Item {
            path: self.path.clone(),
            id,
            source,
        })?;
        Ok(id)
    }

    /// Figures about the bank.
    pub fn stats(&self) -> Result<Stats, BankError> {
        guarded(&self.path, || self.stats_unguarded())
    }

    fn stats_unguarded(&self) -> Result<Stats, BankError> {
        let searcher = self.searcher();
        let next_id = self.payload()?.next_id;
        let removed_pending =
            searcher.segment_readers().iter().map(|s| u64::from(s.num_deleted_docs())).sum();
        let mut bytes_on_disk = 0;
        let entries = std::fs::read_dir(&self.path).map_err(|e| self.store_error(e.into()))?;
        for entry in entries {
            let meta = entry.and_then(|e| e.metadata()).map_err(|e| self.store_error(e.into()))?;
            if meta.is_file() {
                bytes_on_disk += meta.len();
            }
        }
        Ok(Stats {
            items: searcher.num_docs(),
            next_id,
            segments: searcher.segment_readers().len(),
            removed_pending,
            bytes_on_disk,
        })
    }

    /// Checks the whole bank: every store file against its checksum, then every item decoded
    /// within the limits (v2's checksum included). Returns the items checked.
    pub fn verify(&self) -> Result<u64, BankError> {
        guarded(&self.path, || self.verify_unguarded())
    }

    fn verify_unguarded(&self) -> Result<u64, BankError> {
        check_files(&self.path, &self.index)?;
        let searcher = self.searcher();
        let mut decoder = Decoder::new(self.options.limits);
        let mut item = Item::scratch();
        let mut checked = 0;
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            for doc in segment.doc_ids_alive() {
                self.read(&searcher, DocAddress::new(ord as u32, doc), &mut decoder, &mut item)?;
                item.render()
                    .map_err(|e| BankError::Damaged { path: self.path.clone(), reason: e.to_string() })?;
                checked += 1;
            }
        }
        Ok(checked)
    }
}

/// Every file of `index`'s last commit against its checksum.
fn check_files(path: &Path, index: &Index) -> Result<(), BankError> {
    let damaged = index.validate_checksum().map_err(|e| classify(path, e))?;
    let mut damaged: Vec<_> = damaged.into_iter().collect();
    damaged.sort();
    match damaged.first() {
        None => Ok(()),
        Some(file) => Err(BankError::Damaged {
            path: path.to_owned(),
            reason: format!(
                "{} does not match its checksum ({} damaged files)",
                file.display(),
                damaged.len()
            ),
        }),
    }
}

/// Runs `f`, turning a panic inside the store (which tantivy can raise on files whose damage its
/// checks do not see) into [`BankError::Damaged`]. The bank's own code does not panic; a panic
/// caught here leaves nothing half-changed, as reads change nothing.
pub(crate) fn guarded<T>(path: &Path, f: impl FnOnce() -> Result<T, BankError>) -> Result<T, BankError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".to_owned());
        Err(BankError::Damaged {
            path: path.to_owned(),
            reason: format!(
                "the store failed reading it ({what}); `sigma bank stats --check` checks every file"
            ),
        })
    })
}

/// Sorts a store error into the bank's: damage, a foreign store, or a store failure.
fn classify(path: &Path, source: TantivyError) -> BankError {
    match source {
        TantivyError::DataCorruption(corruption) => {
            BankError::Damaged { path: path.to_owned(), reason: format!("{corruption:?}") }
        }
        TantivyError::OpenDirectoryError(OpenDirectoryError::DoesNotExist(_)) => {
            BankError::NotFound { path: path.to_owned() }
        }
        TantivyError::SchemaError(reason) => BankError::Foreign { path: path.to_owned(), reason },
        TantivyError::OpenReadError(e) => BankError::Damaged { path: path.to_owned(), reason: e.to_string() },
        other => BankError::Store { path: path.to_owned(), source: other },
    }
}

/// Adds and removes items; nothing is visible to readers, or survives a crash, before
/// [`BankWriter::commit`]. Dropped without a commit, it discards what it did.
pub struct BankWriter<'b> {
    bank: &'b Bank,
    writer: IndexWriter,
    /// The first id this writer gave.
    first_id: u64,
    next_id: u64,
    /// Reused for each item's searchable text.
    text: String,
    /// Ids removed through this writer.
    removed: hashbrown::HashSet<u64>,
}

impl std::fmt::Debug for BankWriter<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BankWriter").field("bank", &self.bank.path).field("next_id", &self.next_id).finish()
    }
}

impl BankWriter<'_> {
    /// Adds `item` and returns its id.
    pub fn add(&mut self, item: &Item) -> Result<u64, BankError> {
        let id = self.next_id;
        let doc = document(&self.bank.fields, id, item, &mut self.text)?;
        self.writer.add_document(doc).map_err(|e| self.bank.store_error(e))?;
        self.next_id += 1;
        Ok(id)
    }

    /// Adds `items` and returns their ids, in order. Items are prepared (encoded, hashed,
    /// tokenized) across the writer's threads. On an error, part of the batch may have been
    /// added: drop the writer to discard it (its ids are not given again by this writer).
    pub fn add_batch(&mut self, items: &[Item]) -> Result<std::ops::Range<u64>, BankError> {
        let first = self.next_id;
        // Taken before the batch runs, so that ids given to a part of a failed batch never
        // reach another item.
        self.next_id = first + items.len() as u64;
        let threads = self.bank.options.writer_threads.max(1);
        let chunk = items.len().div_ceil(threads).max(64);
        let fields = self.bank.fields;
        let writer = &self.writer;
        let bank = self.bank;
        std::thread::scope(|scope| {
            let handles: Vec<_> = items
                .chunks(chunk)
                .enumerate()
                .map(|(n, part)| {
                    let start = first + (n * chunk) as u64;
                    scope.spawn(move || -> Result<(), BankError> {
                        let mut text = String::new();
                        for (offset, item) in (0u64..).zip(part) {
                            let doc = document(&fields, start + offset, item, &mut text)?;
                            writer.add_document(doc).map_err(|e| bank.store_error(e))?;
                        }
                        Ok(())
                    })
                })
                .collect();
            handles
                .into_iter()
                .try_for_each(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
        })?;
        Ok(first..self.next_id)
    }

    /// Removes item `id`: false if neither the bank nor this writer holds it.
    pub fn remove(&mut self, id: u64) -> Result<bool, BankError> {
        if self.removed.contains(&id) {
            return Ok(false);
        }
        let held = (self.first_id..self.next_id).contains(&id) || self.bank.contains(id)?;
        if held {
            self.writer.delete_term(Term::from_field_u64(self.bank.fields.id, id));
            self.removed.insert(id);
        }
        Ok(held)
    }

    /// Makes every add and removal visible at once, durably: a crash before this returns leaves
    /// the bank as it was; after, as it is now. Waits for the merges the commit starts, so a
    /// process that ends after committing leaves no merge half done.
    pub fn commit(mut self) -> Result<(), BankError> {
        let bank = self.bank;
        let mut commit = self.writer.prepare_commit().map_err(|e| bank.store_error(e))?;
        commit.set_payload(&Payload { next_id: self.next_id }.to_json());
        commit.commit().map_err(|e| bank.store_error(e))?;
        self.writer.wait_merging_threads().map_err(|e| bank.store_error(e))?;
        bank.refresh()
    }
}

/// The store document of `item` under `id`.
fn document(fields: &Fields, id: u64, item: &Item, text: &mut String) -> Result<TantivyDocument, BankError> {
    let bytes = sigma_codec::v2::encode(&item.tree).map_err(crate::error::InputError::from)?;
    let mut doc = TantivyDocument::new();
    doc.add_u64(fields.id, id);
    doc.add_u64(fields.kind, item.kind.code());
    doc.add_bytes(fields.tree, &bytes);
    item.searchable_text(text).map_err(crate::error::InputError::Render)?;
    doc.add_text(fields.words, text.as_str());
    let features = sigma_delta::similar::features(&item.tree);
    for key in sigma_delta::similar::band_keys(&features) {
        doc.add_u64(fields.shape, key);
    }
    for (field, word) in fields.sketch.iter().zip(sketch(&features)) {
        doc.add_u64(*field, word);
    }
    Ok(doc)
}
