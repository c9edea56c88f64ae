//! `sigma bank` as a user runs it: add, search, get, remove, stats; and an add killed part way,
//! many times over, that leaves the bank readable with the items from before it or after it.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use sigma_bank::{Bank, Query};
use sigma_testkit::{Stream, fixtures};

fn sigma(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sigma")).args(args).output().unwrap()
}

fn ok(output: &Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "stderr: {stderr}");
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn fails(output: &Output, needle: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "stderr: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr:?}");
    assert!(stderr.starts_with("sigma: error: ") && stderr.contains(needle), "{stderr:?} lacks {needle:?}");
}

#[test]
fn add_search_get_remove_stats() {
    let dir = tempfile::tempdir().unwrap();
    let bank = dir.path().join("bank");
    let bank = bank.to_str().unwrap();
    let lines = dir.path().join("statuses.jsonl");
    std::fs::write(&lines, Stream::TwitterStatuses.messages().join("\n") + "\n").unwrap();
    let text = dir.path().join("note.txt");
    std::fs::write(&text, "Ada Lovelace wrote the first program in 1843.").unwrap();
    let medium = fixtures().join("trees/medium.json");
    assert_eq!(ok(&sigma(&["bank", "add", bank, lines.to_str().unwrap()])), "added 100 items: ids 0 to 99\n");
    assert_eq!(
        ok(&sigma(&["bank", "add", bank, text.to_str().unwrap(), medium.to_str().unwrap()])),
        "added 2 items: ids 100 to 101\n"
    );
    // Each kind back as it was added.
    assert_eq!(ok(&sigma(&["bank", "get", bank, "100"])), "Ada Lovelace wrote the first program in 1843.");
    let tree = std::fs::read_to_string(&medium).unwrap();
    let tree = sigma_tree::Tree::from_tree_json(&tree).unwrap().to_tree_json();
    assert_eq!(ok(&sigma(&["bank", "get", bank, "101"])), tree + "\n");
    assert_eq!(ok(&sigma(&["bank", "get", bank, "7"])), Stream::TwitterStatuses.messages()[7].clone() + "\n");
    // Search: one JSON line per hit, best first.
    let out = ok(&sigma(&["bank", "search", bank, "--text", "1843 lovelace", "--json"]));
    let hit: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(hit["id"], 100);
    assert!(hit["score"].as_f64().unwrap() > 0.0);
    let out = ok(&sigma(&["bank", "search", bank, "--like", medium.to_str().unwrap(), "-k", "1", "--json"]));
    assert_eq!(out, "{\"id\":101,\"score\":1.0,\"words\":null,\"shape\":1.0}\n");
    // Statuses 14 and 97 are the same retweet; 99 names the same dance.
    let human = ok(&sigma(&["bank", "search", bank, "--text", "ようかい体操第一", "-k", "3"]));
    let ids: Vec<&str> = human.lines().map(|l| l.split('\t').next().unwrap()).collect();
    assert_eq!(ids.len(), 3, "{human}");
    assert!(matches!(ids[..2], ["14", "97"] | ["97", "14"]), "{human}");
    // Remove: the others keep their ids.
    ok(&sigma(&["bank", "remove", bank, "14"]));
    fails(&sigma(&["bank", "get", bank, "14"]), "no item 14");
    fails(&sigma(&["bank", "remove", bank, "14"]), "no item 14");
    let out = ok(&sigma(&["bank", "search", bank, "--text", "ようかい体操第一", "-k", "3", "--json"]));
    let ids: Vec<u64> = out
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids.first(), Some(&97), "{out}");
    assert!(!ids.contains(&14), "{out}");
    let stats = ok(&sigma(&["bank", "stats", bank, "--check", "--json"]));
    let stats: serde_json::Value = serde_json::from_str(&stats).unwrap();
    assert_eq!(
        (stats["items"].as_u64(), stats["next_id"].as_u64(), stats["checked"].as_u64()),
        (Some(101), Some(102), Some(101))
    );
    // Failures: one line each.
    fails(&sigma(&["bank", "search", bank]), "needs words");
    fails(&sigma(&["bank", "stats", dir.path().join("none").to_str().unwrap()]), "no bank here");
    let bad = dir.path().join("bad.jsonl");
    std::fs::write(&bad, "{\"a\":1}\n{\"a\":\n").unwrap();
    fails(&sigma(&["bank", "add", bank, bad.to_str().unwrap()]), "line 2");
    assert_eq!(Bank::open(bank).unwrap().stats().unwrap().items, 101, "a failed add adds nothing");
}

/// Many JSON lines (citm performances and twitter statuses, each with its own sequence number).
fn big_input(path: &Path, n: usize) {
    let mut messages = Stream::CitmPerformances.messages();
    messages.extend(Stream::TwitterStatuses.messages());
    let lines: Vec<String> =
        (0..n).map(|i| format!("{{\"seq\":{i},{}", &messages[i % messages.len()][1..])).collect();
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

/// Kills `sigma bank add` at points spread over its run (parsing, indexing, committing), and
/// after each kill checks that the bank opens, passes its full check, and holds exactly the
/// items from before the add or all of them after it.
#[test]
fn an_add_killed_part_way_leaves_the_bank_before_or_after() {
    const N: usize = 20_000;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("big.jsonl");
    big_input(&input, N);
    let input = input.to_str().unwrap();
    let small = dir.path().join("small.jsonl");
    std::fs::write(&small, Stream::TwitterStatuses.messages()[..10].join("\n")).unwrap();
    let bank_dir = dir.path().join("bank");
    let bank = bank_dir.to_str().unwrap();
    ok(&sigma(&["bank", "add", bank, small.to_str().unwrap()]));

    // How long an add takes here, uninterrupted, into a bank of its own.
    let timing = dir.path().join("timing");
    let started = Instant::now();
    ok(&sigma(&["bank", "add", timing.to_str().unwrap(), input]));
    let full = started.elapsed();

    let mut items = 10u64;
    let (mut before, mut after) = (0, 0);
    for step in 1..=13u32 {
        // From an eighth of the uninterrupted time to half as long again; the last add runs to
        // its end, so "after" is checked however the kills fell.
        let delay = if step == 13 { Duration::from_secs(3600) } else { full * step / 8 };
        let mut child = Command::new(env!("CARGO_BIN_EXE_sigma"))
            .args(["bank", "add", bank, input])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while started.elapsed() < delay && child.try_wait().unwrap().is_none() {
            std::thread::sleep(Duration::from_millis(5));
        }
        // SIGKILL: no destructor, no commit, no cleanup. (An add that has finished is not
        // killed; its bank is "after".)
        let _finished = child.kill();
        let status = child.wait().unwrap();
        let bank = Bank::open(bank).unwrap_or_else(|e| panic!("killed after {delay:?}: {e}"));
        let held = bank.stats().unwrap().items;
        assert_eq!(bank.verify().unwrap(), held, "killed after {delay:?}");
        if held == items {
            before += 1;
        } else {
            assert_eq!(held, items + N as u64, "killed after {delay:?} ({status}): neither before nor after");
            after += 1;
            // Ids run on from the last commit's; the items are the input's, in order.
            let first = bank.stats().unwrap().next_id - N as u64;
            let item = bank.get(first + 123).unwrap().unwrap().render().unwrap();
            assert!(item.starts_with("{\"seq\":123,"), "{item}");
            items = held;
        }
        let hits = bank.search(&Query { text: Some("PLEYEL_PLEYEL"), like: None, k: 5 }).unwrap();
        assert_eq!(hits.len(), if items > 10 { 5 } else { 0 });
    }
    println!(
        "an add of {N} items ({full:?} in full) killed 12 times (and run once to its end): {before} left the bank as before, {after} as after"
    );
    assert!(before >= 3 && after >= 1, "{before} before, {after} after");
    // The bank takes adds after all that (the killed writers' lock and files are gone).
    let next = Bank::open(bank).unwrap().stats().unwrap().next_id;
    let out = ok(&sigma(&["bank", "add", bank, small.to_str().unwrap()]));
    assert_eq!(out, format!("added 10 items: ids {next} to {}\n", next + 9));
}
