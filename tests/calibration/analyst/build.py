import json

A = open("/tmp/blind/article-A.txt", encoding="utf-8").read()
B = open("/tmp/blind/article-B.txt", encoding="utf-8").read()
T = {"khasham-nyt-repost": A, "khasham-unsigned-report": B}
a, b = "khasham-nyt-repost", "khasham-unsigned-report"
spec = [
    (
        "f1",
        a,
        "nearly four-hour assault",
        "conflicting_number",
        "Duration of the assault: A says nearly four hours, B says three hours. Check the Pentagon/CENTCOM timeline and the original NYT piece.",
        ["f8"],
    ),
    (
        "f2",
        a,
        "around 500\xa0pro-Syrian government forces",
        "conflicting_number",
        "Size of the attacking force: about 500 here vs about 550 in B. Gap is modest but the figures differ; check the US military estimate against the source of the 550.",
        ["f30"],
    ),
    (
        "f3",
        a,
        "200 to 300 of the attacking fighters were killed",
        "conflicting_number",
        "Total attackers killed (US estimate, stated as fact in the repost). B has 300 Russians alone killed (plus ~100 Syrians), which exceeds this range; ask which body count each source uses.",
        ["f12"],
    ),
    (
        "f4",
        a,
        "merciless",
        "loaded_framing",
        'Emotive adjective in the narrative voice; "heavy" or no adjective reports the same fact. Check whether the word is NYT\'s or added in the repost.',
        [],
    ),
    (
        "f5",
        a,
        "interviews and documents newly obtained by\xa0The New York Times",
        "unverified",
        "The repost's authority rests on a credit to the NYT with no link, under a Treadstone 71 byline; documents cannot be checked. Find the original NYT article and compare wording.",
        [],
    ),
    (
        "f6",
        b,
        "reportedly bolstering its defences",
        "unverified",
        "Hedge with no source; who reports US reinforcement near Deir ez-Zor? Ask CENTCOM/Coalition press office.",
        [],
    ),
    (
        "f7",
        b,
        "pro-Syrian forces mass troops and tanks ahead of a fresh attack",
        "unverified",
        'Stated as fact in the lead, but the body supports it only with "unconfirmed reports", "reportedly" and unnamed "local media". Needs an identifiable source.',
        [],
    ),
    (
        "f8",
        b,
        "three-hour",
        "conflicting_number",
        "Battle duration: three hours here vs nearly four hours in A.",
        ["f1"],
    ),
    (
        "f9",
        b,
        "surprise assault",
        "unverified",
        'A says US officials watched the force mass for a week and warned Russia; "surprise" is contradicted. Check the deconfliction-line record/officials\' account.',
        [],
    ),
    (
        "f10",
        b,
        "a massacre of pro-Syrian forces",
        "loaded_framing",
        '"Massacre" (behind an unsourced "reportedly") turns a battlefield defeat into a moral label; "heavy losses" would report the fact.',
        [],
    ),
    (
        "f11",
        b,
        "Moscow state media has accidentally admitted",
        "unverified",
        'Which outlet, which report? No state outlet named; "accidentally admitted" is the writer\'s gloss. Reuters (later) gives 300 killed OR wounded, and Moscow officials five dead.',
        [],
    ),
    (
        "f12",
        b,
        "some 300 Russian ‘mercenaries’",
        "conflicting_number",
        "Russians killed: 300 here vs about 100 (Reuters doctor) and five (Moscow) later in the same text; Reuters' 300 is killed-or-wounded, not killed.",
        ["f26", "f27", "f3"],
    ),
    (
        "f13",
        b,
        "Syrian Regime forces",
        "loaded_framing",
        'Capitalised "Regime" (repeated throughout) in the writer\'s own voice signals a side; "Syrian government forces" is neutral.',
        [],
    ),
    ("f14", b, "liberated", "loaded_framing", '"Liberated" takes a side; "took"/"captured" reports the same fact.', []),
    (
        "f15",
        b,
        "back in September",
        "conflicting_number",
        'Date SDF took the area: September here vs "four months ago" (mid-October, for a mid-February text) a few lines later. Check SDF/coalition timeline for Khasham.',
        ["f16"],
    ),
    (
        "f16",
        b,
        "four months ago",
        "conflicting_number",
        'Conflicts with "back in September" in the same text (September would be about five months before publication).',
        ["f15"],
    ),
    (
        "f17",
        b,
        "REVENGE ATTACK?",
        "loaded_framing",
        "Headline imputes a revenge motive that nothing in the text supports; question-mark headline steers the reader.",
        [],
    ),
    (
        "f18",
        b,
        "It is all that stands between the Syrian regime and rich oilfields",
        "unverified",
        "Sweeping unsourced assessment; check a map of control lines and oilfields (A places the outpost by the Conoco gas plant).",
        [],
    ),
    (
        "f19",
        b,
        "But there are none.",
        "unverified",
        "Flat unsourced assertion, contradicted by A (US and Russia were both backing offensives against IS in Deir ez-Zor province in those days). Check IS presence at the time.",
        [],
    ),
    (
        "f20",
        b,
        "often deliberately labels",
        "unverified",
        'Unsupported claim of intent about unnamed "pro-Syrian media"; no examples given.',
        [],
    ),
    (
        "f21",
        b,
        "There is believed to be about 70,000 pro-Syrian regime troops",
        "unverified",
        '"Is believed" with no source for the 70,000 figure (and it concerns western Syria, not this battle). Ask who estimated it.',
        [],
    ),
    (
        "f22",
        b,
        "pro-democracy rebels",
        "loaded_framing",
        'Label assigning a virtue to one side; "rebels"/"opposition groups" is neutral.',
        [],
    ),
    (
        "f23",
        b,
        "CARNAGE CONFIRMED",
        "loaded_framing",
        'Emotive headline that also overstates: the section itself says the recordings are unverified and the toll estimates "confused".',
        [],
    ),
    (
        "f24",
        b,
        "recordings from alleged mercenaries",
        "unverified",
        "Text itself concedes the recordings are unverified yet uses them as evidence; who has them, has anyone authenticated them?",
        [],
    ),
    (
        "f25",
        b,
        "unconfirmed reports on Russian social media",
        "unverified",
        'Vague, unconfirmed source for the Wagner 5th Assault unit details and "wiped out"/"cut to ribbons"; identify the accounts/posts.',
        [],
    ),
    (
        "f26",
        b,
        "about 100 Russians were killed",
        "conflicting_number",
        "Russians killed: ~100 (anonymous doctor via Reuters) vs 300 killed earlier in this text and five from Moscow officials.",
        ["f12", "f27"],
    ),
    (
        "f27",
        b,
        "five deaths",
        "conflicting_number",
        'Official Russian figure (five) vs about 100 and 300 elsewhere in the text; "Moscow officials" unnamed here (Zakharova named later with the same five).',
        ["f12", "f26"],
    ),
    (
        "f28",
        b,
        "thinly disguised invasion",
        "loaded_framing",
        'Editorialising label in the writer\'s voice on an aside; "annexation of Crimea" states the fact.',
        [],
    ),
    (
        "f29",
        b,
        "Unconfirmed reports state that about 100 Syrian fighters also died",
        "unverified",
        "Hedge plus claim with no identifiable source; check Syrian/SOHR figures.",
        [],
    ),
    (
        "f30",
        b,
        "about 550 men",
        "conflicting_number",
        'Force size, hedged "is said to": about 550 here vs around 500 in A. Who estimated it?',
        ["f2"],
    ),
]
flags = []
for fid, art, q, cat, note, links in spec:
    t = T[art]
    n = t.count(q)
    assert n >= 1, (fid, q)
    s = t.find(q)
    if n > 1:
        print("multiple", fid, q, n)
    flags.append(dict(id=fid, article=art, start=s, end=s + len(q), quote=q, category=cat, note=note, links=links))
ids = {f["id"] for f in flags}
assert len(ids) == len(flags)
for f in flags:
    assert T[f["article"]][f["start"] : f["end"]] == f["quote"]
    for l in f["links"]:
        assert l in ids
json.dump(
    {"flags": flags}, open("/tmp/blind/set-analyst/answers.json", "w", encoding="utf-8"), ensure_ascii=False, indent=1
)
from collections import Counter

print(Counter(f["category"] for f in flags), len(flags))
