//! Checks the compiled primitive table against `primitives.tsv`, its source of truth.

use sigma_primitives::Primitive;

#[test]
fn table_matches_the_tsv() {
    let tsv = include_str!("../primitives.tsv");
    let mut lines = tsv.lines();
    assert_eq!(lines.next(), Some("id\tname\ttier\tfamily\tmeaning"));
    let mut count = 0;
    for (expected_id, line) in lines.enumerate() {
        let fields: Vec<&str> = line.split('\t').collect();
        let [id, name, tier, family, meaning] = fields[..] else {
            panic!("line {} has {} fields: {line:?}", expected_id + 2, fields.len());
        };
        let id = u8::from_str_radix(id.trim_start_matches("0x"), 16).unwrap();
        assert_eq!(usize::from(id), expected_id);
        let primitive = Primitive::new(id);
        assert_eq!(primitive.name(), name);
        assert_eq!(primitive.tier().name(), tier);
        assert_eq!(primitive.family().name(), family);
        assert_eq!(primitive.meaning(), meaning);
        count += 1;
    }
    assert_eq!(count, 256);
}
