//! The bank's behaviour: items back exactly, ids that never move or repeat, determinism, words
//! the reference could not find, readers beside a writer, damaged and foreign banks refused.

use std::sync::atomic::{AtomicBool, Ordering};

use sigma_bank::{Bank, BankError, BankOptions, Item, ItemKind, Query};
use sigma_codec::DecodeLimits;
use sigma_testkit::Stream;

fn words(bank: &Bank, text: &str, k: usize) -> Vec<u64> {
    bank.search(&Query { text: Some(text), like: None, k }).unwrap().iter().map(|h| h.id).collect()
}

#[test]
fn every_kind_comes_back_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let bank = Bank::create(dir.path()).unwrap();
    let json = r#"{"b":1.50,"a":[true,null,"x\u00e9"],"n":-0,"e":1e5}"#;
    let tree = sigma_tree::samples::medium().to_tree_json();
    let text = "Marie Curie was born in Warsaw.\n\n  Odd   spacing stays.\r\n";
    let items = [Item::json(json).unwrap(), Item::tree_json(&tree).unwrap(), Item::text(text).unwrap()];
    assert_eq!(bank.add(&items).unwrap(), 0..3);
    let back: Vec<Item> = (0..3).map(|id| bank.get(id).unwrap().unwrap()).collect();
    assert_eq!(back, items);
    assert_eq!(back[0].kind(), ItemKind::Json);
    assert_eq!(back[0].render().unwrap(), r#"{"b":1.50,"a":[true,null,"xé"],"n":-0,"e":1e5}"#);
    assert_eq!(back[1].render().unwrap(), tree);
    assert_eq!(back[2].render().unwrap(), text);
    assert!(bank.get(3).unwrap().is_none());
    // And after reopening.
    drop(bank);
    let bank = Bank::open(dir.path()).unwrap();
    assert_eq!(bank.get(2).unwrap().unwrap().render().unwrap(), text);
}

#[test]
fn ids_never_move_and_never_repeat() {
    let dir = tempfile::tempdir().unwrap();
    let bank = Bank::create(dir.path()).unwrap();
    let doc = |n: usize| Item::json(&format!(r#"{{"n":{n},"text":"item number {n}"}}"#)).unwrap();
    assert_eq!(bank.add(&(0..5).map(doc).collect::<Vec<_>>()).unwrap(), 0..5);
    // The reference's failure: after a removal its hits named the wrong documents.
    assert!(bank.remove(1).unwrap());
    assert!(!bank.remove(1).unwrap(), "removing twice");
    assert_eq!(words(&bank, "3", 10), [3]);
    assert_eq!(bank.get(3).unwrap().unwrap(), doc(3));
    assert_eq!(bank.get(4).unwrap().unwrap(), doc(4));
    // Removing the newest item does not hand its id out again, even after reopening.
    assert!(bank.remove(4).unwrap());
    drop(bank);
    let bank = Bank::open(dir.path()).unwrap();
    assert_eq!(bank.add(&[doc(9)]).unwrap(), 5..6);
    assert_eq!(bank.stats().unwrap().items, 4);
    assert_eq!(bank.stats().unwrap().next_id, 6);
    assert_eq!(words(&bank, "item number", 10), [0, 2, 3, 5]);
}

#[test]
fn the_same_query_gives_the_same_hits() {
    let messages = Stream::TwitterStatuses.messages();
    let items: Vec<Item> = messages.iter().map(|m| Item::json(m).unwrap()).collect();
    // One bank added to in one commit, another in many: the same items, the same answers.
    let (one, many) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = Bank::create(one.path()).unwrap();
    a.add(&items).unwrap();
    let b = Bank::create(many.path()).unwrap();
    for chunk in items.chunks(7) {
        b.add(chunk).unwrap();
    }
    let like = items[3].tree();
    for query in [
        Query { text: Some("一に止まると書いて"), like: None, k: 10 },
        Query { text: None, like: Some(like), k: 10 },
        Query { text: Some("第一印象"), like: Some(like), k: 10 },
    ] {
        let first = a.search(&query).unwrap();
        assert!(!first.is_empty());
        assert_eq!(a.search(&query).unwrap(), first);
        assert_eq!(b.search(&query).unwrap(), first, "{query:?}");
    }
    // Many of the statuses are the same retweet: equal scores, ordered by id.
    let hits = a.search(&Query { text: Some("一に止まると書いて"), like: None, k: 10 }).unwrap();
    assert!(
        hits.windows(2).all(|w| w[0].score > w[1].score || (w[0].score == w[1].score && w[0].id < w[1].id))
    );
}

#[test]
fn numbers_and_words_in_any_script_are_found() {
    let dir = tempfile::tempdir().unwrap();
    let bank = Bank::create(dir.path()).unwrap();
    bank.add(&[
        Item::json(r#"{"city":"Zürich","population":421878,"pi":3.14159}"#).unwrap(),
        Item::json(r#"{"text":"東京都に行く","price":"¥1,500"}"#).unwrap(),
        Item::json(r#"{"text":"Σ is sigma; ΣLANG encodes trees","n":42}"#).unwrap(),
        Item::text("Московский метрополитен открыт в 1935 году.").unwrap(),
    ])
    .unwrap();
    assert_eq!(words(&bank, "zürich", 10), [0]);
    assert_eq!(words(&bank, "ZÜRICH", 10), [0]);
    assert_eq!(words(&bank, "421878", 10), [0]);
    assert_eq!(words(&bank, "3.14159", 10), [0]);
    assert_eq!(words(&bank, "東京", 10), [1]);
    assert_eq!(words(&bank, "1,500", 10), [1]);
    assert_eq!(words(&bank, "σlang", 10), [2]);
    assert_eq!(words(&bank, "42", 10), [2]);
    assert_eq!(words(&bank, "метрополитен 1935", 10), [3]);
    // Object keys are structure, not words.
    assert!(words(&bank, "population", 10).is_empty());
    assert!(matches!(
        bank.search(&Query { text: Some(" ,;! "), like: None, k: 10 }),
        Err(BankError::Query(_))
    ));
    assert!(matches!(bank.search(&Query { text: None, like: None, k: 10 }), Err(BankError::Query(_))));
    assert!(words(&bank, "sigma", 0).is_empty());
}

#[test]
fn readers_keep_working_while_a_writer_adds() {
    let dir = tempfile::tempdir().unwrap();
    let bank = Bank::create(dir.path()).unwrap();
    let messages = Stream::CitmPerformances.messages();
    let items: Vec<Item> = messages.iter().map(|m| Item::json(m).unwrap()).collect();
    bank.add(&items[..10]).unwrap();
    let done = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let readers: Vec<_> = (0..2)
            .map(|_| {
                scope.spawn(|| {
                    let mut seen = Vec::new();
                    while !done.load(Ordering::Acquire) {
                        // Each search sees one commit: whole batches of 10, never part of one.
                        let hits =
                            bank.search(&Query { text: Some("PLEYEL_PLEYEL"), like: None, k: 1000 }).unwrap();
                        assert_eq!(hits.len() % 10, 0, "{} hits", hits.len());
                        assert!(bank.get(0).unwrap().is_some());
                        seen.push(hits.len());
                    }
                    seen
                })
            })
            .collect();
        for batch in items[10..].chunks(10).take(12) {
            if batch.len() == 10 {
                bank.add(batch).unwrap();
            }
        }
        done.store(true, Ordering::Release);
        for reader in readers {
            let seen = reader.join().unwrap();
            assert!(seen.windows(2).all(|w| w[0] <= w[1]), "a reader went back in time: {seen:?}");
        }
    });
    assert_eq!(bank.stats().unwrap().items, 130);
}

#[test]
fn one_writer_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let bank = Bank::create(dir.path()).unwrap();
    let writer = bank.writer().unwrap();
    assert!(matches!(bank.writer(), Err(BankError::Busy { .. })));
    let other = Bank::open(dir.path()).unwrap();
    assert!(matches!(other.add(&[Item::json("1").unwrap()]), Err(BankError::Busy { .. })));
    drop(writer);
    assert_eq!(other.add(&[Item::json("1").unwrap()]).unwrap(), 0..1);
}

#[test]
fn a_writer_removes_each_item_once() {
    let dir = tempfile::tempdir().unwrap();
    let bank = Bank::create(dir.path()).unwrap();
    bank.add(&[Item::json("1").unwrap()]).unwrap();
    let mut writer = bank.writer().unwrap();
    let fresh = writer.add(&Item::json("2").unwrap()).unwrap();
    assert_eq!(fresh, 1);
    for id in [0, fresh] {
        assert!(writer.remove(id).unwrap(), "{id}");
        assert!(!writer.remove(id).unwrap(), "{id} twice");
    }
    assert!(!writer.remove(7).unwrap());
    writer.commit().unwrap();
    assert_eq!(bank.stats().unwrap().items, 0);
    assert_eq!(bank.stats().unwrap().next_id, 2);
}

#[test]
fn a_writer_dropped_without_commit_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let bank = Bank::create(dir.path()).unwrap();
    let mut writer = bank.writer().unwrap();
    writer.add(&Item::json(r#"{"a":1}"#).unwrap()).unwrap();
    drop(writer);
    assert_eq!(bank.stats().unwrap().items, 0);
    assert_eq!(bank.add(&[Item::json("2").unwrap()]).unwrap(), 0..1, "ids of a discarded add are free");
}

#[test]
fn items_are_read_within_the_limits() {
    let dir = tempfile::tempdir().unwrap();
    let bank = Bank::create(dir.path()).unwrap();
    bank.add(&[Item::json(r#"[1,2,3,4,5,6,7,8,9,10]"#).unwrap()]).unwrap();
    drop(bank);
    let limits = DecodeLimits { max_nodes: 5, ..DecodeLimits::DEFAULT };
    let bank = Bank::open_with(dir.path(), BankOptions { limits, ..BankOptions::default() }).unwrap();
    match bank.get(0) {
        Err(BankError::Item { id: 0, source, .. }) => {
            assert!(source.to_string().contains("nodes"), "{source}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn foreign_and_missing_banks_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nothing");
    assert!(matches!(Bank::open(&missing), Err(BankError::NotFound { .. })));
    // A tantivy index that is no bank.
    let other = dir.path().join("other");
    std::fs::create_dir(&other).unwrap();
    let mut schema = tantivy::schema::Schema::builder();
    schema.add_text_field("title", tantivy::schema::TEXT);
    tantivy::Index::create_in_dir(&other, schema.build()).unwrap();
    assert!(matches!(Bank::open(&other), Err(BankError::Foreign { .. })), "{:?}", Bank::open(&other));
    // A bank's directory is not reused by create.
    let bank_dir = dir.path().join("bank");
    Bank::create(&bank_dir).unwrap();
    assert!(matches!(Bank::create(&bank_dir), Err(BankError::NotEmpty { .. })));
    // meta.json that is not tantivy's.
    let junk = dir.path().join("junk");
    std::fs::create_dir(&junk).unwrap();
    std::fs::write(junk.join("meta.json"), b"\xff\x00 not json").unwrap();
    assert!(matches!(Bank::open(&junk), Err(BankError::Damaged { .. } | BankError::Foreign { .. })));
}

/// Every store file of a bank damaged in turn (bytes flipped, or cut short): opening, searching,
/// reading and checking it give errors or right answers, never a panic or a wrong item, whether
/// the files are checked when the bank is opened or only when read.
#[test]
fn damaged_banks_give_errors_not_panics() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bank");
    let messages = Stream::TwitterStatuses.messages();
    let items: Vec<Item> = messages.iter().take(30).map(|m| Item::json(m).unwrap()).collect();
    Bank::create(&path).unwrap().add(&items).unwrap();
    let files: Vec<_> = std::fs::read_dir(&path)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e != "lock") && std::fs::metadata(p).unwrap().len() > 0)
        .collect();
    assert!(files.len() >= 5, "{files:?}");
    let mut refused = 0;
    for file in &files {
        let original = std::fs::read(file).unwrap();
        for damage in 0..3 {
            let mut bytes = original.clone();
            match damage {
                0 => bytes.truncate(bytes.len() / 2),
                1 => {
                    let at = bytes.len() / 3;
                    bytes[at] ^= 0x5A;
                }
                _ => {
                    let at = bytes.len().saturating_sub(3);
                    bytes[at] ^= 0x01;
                }
            }
            // Written beside and renamed into place, as a damaged copy would arrive.
            let replace = |bytes: &[u8]| {
                let beside = file.with_extension("new");
                std::fs::write(&beside, bytes).unwrap();
                std::fs::rename(&beside, file).unwrap();
            };
            replace(&bytes);
            let unchecked = BankOptions { check_files: damage == 2, ..BankOptions::default() };
            let outcome = std::panic::catch_unwind(|| -> Result<(), BankError> {
                let bank = Bank::open_with(&path, unchecked)?;
                bank.verify()?;
                // A bank that passes its check answers rightly.
                for (id, item) in items.iter().enumerate() {
                    assert_eq!(bank.get(id as u64)?.as_ref(), Some(item));
                }
                bank.search(&Query { text: Some("第一印象"), like: Some(items[0].tree()), k: 5 })?;
                Ok(())
            });
            match outcome {
                Ok(Ok(())) => {}
                Ok(Err(_)) => refused += 1,
                Err(_) => panic!("{} damaged ({damage}) made the bank panic", file.display()),
            }
            replace(&original);
        }
    }
    assert!(refused >= files.len(), "only {refused} of {} damaged banks refused", files.len() * 3);
}
