//! Mojibake: UTF-8 text that some program read as Latin-1 or Windows-1252 and wrote out again
//! ("中国" became "ä¸­å½").
//!
//! Scrapers and mirrors do this to pages now and then, and a page that flips between its real
//! text and its mojibake would otherwise look like a rewrite of every sentence. The damage is
//! reversible when no byte was lost: map each character back to the byte it was decoded from and
//! read those bytes as UTF-8 again. [`check`] does that run by run, keeps a repair only when it
//! is unambiguous, and calls a page suspect when it carries mojibake it cannot undo.

/// What [`check`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mojibake {
    /// No mojibake: use the text as it is.
    Clean,
    /// The mojibake was repaired: use this text instead.
    Repaired(String),
    /// A real part of the text is mojibake that cannot be repaired unambiguously (bytes were
    /// lost, or another charset was misread): archiving it would record noise.
    Suspect,
}

/// Checks `text` for UTF-8 read as Latin-1/Windows-1252 (once or several times over) and
/// repairs it when the repair is unambiguous. Fast on clean text: mojibake always contains a
/// character in U+00C2..=U+00F4 (the misread lead byte of a UTF-8 sequence), whose UTF-8 form
/// starts with byte 0xC3.
pub fn check(text: &str) -> Mojibake {
    if !text.as_bytes().contains(&0xC3) {
        return Mojibake::Clean;
    }
    let mut out = String::with_capacity(text.len());
    let mut repaired_chars = 0;
    let mut repaired_controls = false;
    let mut broken_chars = 0;
    let mut rest = text;
    while let Some(start) = next_misread(rest) {
        out.push_str(&rest[..start]);
        let run_and_after = &rest[start..];
        let len = run_and_after
            .find(|c: char| to_byte(c).is_none())
            .unwrap_or(run_and_after.len());
        let run = &run_and_after[..len];
        rest = &run_and_after[len..];
        match repair_run(run, MAX_LAYERS) {
            Some(fixed) => {
                repaired_chars += fixed.decoded;
                repaired_controls |= fixed.decoded > 0 && run.chars().any(is_c1_control);
                out.push_str(&fixed.text);
            }
            None => {
                if looks_like_mojibake(run) {
                    broken_chars += run.chars().count();
                }
                out.push_str(run);
            }
        }
    }
    out.push_str(rest);
    // Real text can hold a run that happens to be valid UTF-8 ("é……" reads as one CJK
    // character), but not several, and never a C1 control: those only come from misread bytes.
    let repaired = repaired_chars >= 3 || (repaired_chars > 0 && repaired_controls);
    // Mojibake that does not repair means bytes were lost (or another charset was misread):
    // the page is suspect when that is a real part of its text. A little of it in an
    // otherwise sound page (a garbled comment or <meta>) is left as the page gave it.
    if broken_chars > 0 && broken_chars * 10 > non_ascii_chars(&out) {
        return Mojibake::Suspect;
    }
    if repaired {
        Mojibake::Repaired(out)
    } else {
        Mojibake::Clean
    }
}

/// Where the first character that [`to_byte`] maps is: ASCII, most of a page, is skipped by
/// the byte.
fn next_misread(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut at = 0;
    loop {
        at += super::ascii_prefix(&bytes[at..]);
        let c = text[at..].chars().next()?;
        if to_byte(c).is_some() {
            return Some(at);
        }
        at += c.len_utf8();
    }
}

/// The number of non-ASCII characters: the bytes that start one.
fn non_ascii_chars(text: &str) -> usize {
    text.bytes().filter(|&b| b >= 0xC0).count()
}

/// Text encoded twice is repaired twice; more layers than this is not a page worth guessing at.
const MAX_LAYERS: usize = 3;

/// The repaired text of one run, when its bytes are valid UTF-8 of plausible characters. A run
/// that was misread more than once decodes to another run of misread bytes (with C1 controls
/// that make it implausible): that one is repaired in turn.
///
/// A continuation byte where a character should start is kept as the character it was: pages
/// write some symbols as entities (`&middot;`), which the scraper resolved after misreading
/// the bytes around them, so a real "·" can sit inside mojibake. A lead byte without its
/// continuation bytes means bytes were lost: the run does not repair.
fn repair_run(run: &str, layers: usize) -> Option<Repair> {
    let once = decode_run(run)?;
    if layers > 1
        && once.decoded > 0
        && once.text.chars().all(|c| to_byte(c).is_some())
        && let Some(deeper) = repair_run(&once.text, layers - 1)
        && deeper.decoded > 0
    {
        return Some(deeper);
    }
    once.text.chars().all(plausible).then_some(once)
}

/// Reads the bytes of a run as UTF-8 once, keeping stray continuation bytes as the characters
/// they were; `None` when a lead byte lacks its continuation bytes.
fn decode_run(run: &str) -> Option<Repair> {
    let chars: Vec<char> = run.chars().collect();
    let bytes: Vec<u8> = chars.iter().copied().filter_map(to_byte).collect();
    let mut text = String::with_capacity(bytes.len());
    let mut decoded = 0;
    let mut at = 0;
    while at < bytes.len() {
        let (valid, stray) = match std::str::from_utf8(&bytes[at..]) {
            Ok(valid) => (valid, None),
            Err(e) => {
                let end = at + e.valid_up_to();
                if !(0x80..=0xBF).contains(&bytes[end]) {
                    return None;
                }
                (std::str::from_utf8(&bytes[at..end]).ok()?, Some(end))
            }
        };
        text.push_str(valid);
        decoded += valid.chars().count();
        at += valid.len();
        if let Some(end) = stray {
            text.push(chars[end]);
            at = end + 1;
        }
    }
    Some(Repair { text, decoded })
}

/// A run after repair, and how many characters were decoded from misread bytes.
struct Repair {
    text: String,
    decoded: usize,
}

/// Whether a run that did not repair still has the shape of mojibake: `Â`/`Ã` or a misread
/// three-byte lead (à..ï) followed by a Latin-1 symbol or a C1 control, characters that real
/// text does not put right after a letter. (Windows-1252 punctuation does follow letters in
/// real text: "voilà——", "«café»…".)
fn looks_like_mojibake(run: &str) -> bool {
    let chars: Vec<char> = run.chars().collect();
    chars.windows(2).any(|pair| {
        matches!(pair[0], 'Â' | 'Ã' | 'à'..='ï') && ('\u{80}'..='\u{BF}').contains(&pair[1])
    })
}

fn is_c1_control(c: char) -> bool {
    ('\u{80}'..='\u{9F}').contains(&c)
}

/// The byte a character stands for when UTF-8 was decoded as Latin-1 or Windows-1252, for
/// bytes 0x80..=0xFF. Latin-1 maps every byte to the code point of the same value;
/// Windows-1252 puts typographic characters at 0x80..=0x9F.
fn to_byte(c: char) -> Option<u8> {
    let code = u32::from(c);
    if (0x80..=0xFF).contains(&code) {
        return u8::try_from(code).ok();
    }
    // Beyond the last of the Windows-1252 characters below: CJK text, most of what is checked.
    if c > '™' {
        return None;
    }
    let byte = match c {
        '€' => 0x80,
        '‚' => 0x82,
        'ƒ' => 0x83,
        '„' => 0x84,
        '…' => 0x85,
        '†' => 0x86,
        '‡' => 0x87,
        'ˆ' => 0x88,
        '‰' => 0x89,
        'Š' => 0x8A,
        '‹' => 0x8B,
        'Œ' => 0x8C,
        'Ž' => 0x8E,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '˜' => 0x98,
        '™' => 0x99,
        'š' => 0x9A,
        '›' => 0x9B,
        'œ' => 0x9C,
        'ž' => 0x9E,
        'Ÿ' => 0x9F,
        _ => return None,
    };
    Some(byte)
}

/// Characters a repaired run may contain: letters and symbols of the scripts news is written
/// in, punctuation, CJK, emoji. A repair that yields C1 controls or a rare script (as
/// "Fuß“" would: U+07D3) is a coincidence, not mojibake.
fn plausible(c: char) -> bool {
    matches!(c,
        '\u{00A0}'..='\u{024F}'     // Latin-1 letters and symbols, Latin Extended
        | '\u{0370}'..='\u{052F}'   // Greek, Cyrillic
        | '\u{1E00}'..='\u{1EFF}'   // Latin Extended Additional (Vietnamese)
        | '\u{2000}'..='\u{2BFF}'   // punctuation, symbols, arrows, dingbats
        | '\u{AC00}'..='\u{D7AF}'   // Hangul syllables
        | '\u{FE00}'..='\u{FE0F}'   // variation selectors (emoji)
        | '\u{1F000}'..='\u{1FAFF}') // emoji
        || crate::unicode::is_cjk(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Makes mojibake the way a scraper does: UTF-8 bytes decoded as Latin-1.
    fn as_latin1(text: &str) -> String {
        text.bytes().map(char::from).collect()
    }

    /// The same through Windows-1252, as browsers and Python's cp1252 decode.
    fn as_cp1252(text: &str) -> String {
        encoding_rs::WINDOWS_1252
            .decode(text.as_bytes())
            .0
            .into_owned()
    }

    const CHINESE: &str = "<p>美国周四对一家总部在中国的公司进行制裁。“我非常担心”，罗伊斯说。2018年9月15日 02:23</p>";

    #[test]
    fn repairs_chinese_read_as_latin1_or_cp1252() {
        for broken in [as_latin1(CHINESE), as_cp1252(CHINESE)] {
            assert_ne!(broken, CHINESE);
            assert_eq!(check(&broken), Mojibake::Repaired(CHINESE.to_owned()));
        }
    }

    #[test]
    fn repairs_mojibake_next_to_correct_text() {
        let page = format!("### 美国针对朝鲜实施新制裁\n{}", as_latin1(CHINESE));
        let expected = format!("### 美国针对朝鲜实施新制裁\n{CHINESE}");
        assert_eq!(check(&page), Mojibake::Repaired(expected));
    }

    #[test]
    fn leaves_a_little_unrepairable_junk_in_a_sound_page() {
        let junk = "<!-- by ä¸Ã¥ -->";
        let page = format!("{junk}{}", CHINESE.repeat(3));
        assert_eq!(check(&page), Mojibake::Clean);
    }

    #[test]
    fn keeps_a_real_symbol_inside_mojibake() {
        // The page wrote `&middot;`; the scraper resolved it after misreading the bytes.
        let page = format!("{}·{}", as_latin1("总统吉米"), as_latin1("摩拉利斯说"));
        assert_eq!(
            check(&page),
            Mojibake::Repaired("总统吉米·摩拉利斯说".to_owned())
        );
    }

    #[test]
    fn repairs_text_encoded_twice() {
        let twice = as_latin1(&as_latin1(CHINESE));
        assert_eq!(check(&twice), Mojibake::Repaired(CHINESE.to_owned()));
    }

    #[test]
    fn repairs_european_mojibake() {
        let text = "Le café de la gare à Zürich, señor.";
        assert_eq!(check(&as_cp1252(text)), Mojibake::Repaired(text.to_owned()));
    }

    #[test]
    fn leaves_real_european_and_mixed_text_alone() {
        for text in [
            "Où est le café? À l'hôtel, l'été dernier, «Ça va?» — Été, Noël, garçon, œuvre.",
            "Größe, Straße und „Fuß“ — Ärger über Öl. DAS ÄNDERT ALLES: HÄ“ bleibt.",
            "¿Dónde está el niño? ¡Mañana! Año, corazón, pingüino, Señor Muñoz.",
            "São Paulo, Coração, MÃE, IRMÃ. Ångström, Æsir, Øresund, Ça.",
            "习近平在会议上说：“要加快科技自立自强步伐。”Reuters reported at 10:00 a.m. — café…",
            "巴伦·瓦卡——总统…… ©2020 版权所有 ±5% 25°C ½ × ÷",
            "Voilà—— l'été…… «café»… Già——",
        ] {
            assert_eq!(check(text), Mojibake::Clean, "{text}");
        }
    }

    #[test]
    fn lossy_mojibake_is_suspect() {
        // Windows-1252 has no character for bytes such as 0x8D; scrapers drop them, and
        // what is left can't be read back.
        let lossy: String = as_cp1252(CHINESE)
            .chars()
            .filter(|c| !matches!(c, '\u{81}' | '\u{8d}' | '\u{8f}' | '\u{90}' | '\u{9d}'))
            .collect();
        assert_ne!(lossy, as_cp1252(CHINESE), "the sample must lose a byte");
        assert_eq!(check(&lossy), Mojibake::Suspect);
    }
}
