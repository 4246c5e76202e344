//! Reading a CSV file record by record: its encoding is settled by one pass over the bytes in
//! blocks, then the records are decoded and parsed as they are read. No whole file, and no whole
//! table of records, is ever held in memory.

use super::{Encoding, Problem};
use std::io::{self, BufRead, BufReader, Read};

const BOM: &[u8] = b"\xEF\xBB\xBF";
const BLOCK: usize = 64 * 1024;

/// Opens the bytes to read once more (a file, or a slice in memory).
pub(crate) type Open<'a> = &'a dyn Fn() -> io::Result<Box<dyn Read + 'a>>;

/// What a pass over bytes read as UTF-8 found.
enum Utf8Scan {
    /// Valid: how many characters are CJK, and how many take two bytes (GBK read as UTF-8
    /// gives two-byte characters and no CJK).
    Valid { cjk: usize, two_byte: usize },
    /// The first byte that is not UTF-8: its offset, its value and its line.
    Invalid { at: u64, byte: u8, line: usize },
}

/// Reads `open`'s bytes in blocks as UTF-8 (after a byte-order mark, if any).
fn scan_utf8(open: Open<'_>) -> io::Result<Utf8Scan> {
    let mut r = open()?;
    let mut buf = vec![0u8; BLOCK + 4];
    let (mut carry, mut offset, mut newlines) = (0usize, 0u64, 0usize);
    let (mut cjk, mut two_byte) = (0usize, 0usize);
    let mut first = true;
    loop {
        let n = read_full(&mut r, &mut buf[carry..carry + BLOCK])?;
        let mut len = carry + n;
        let mut start = 0;
        if first {
            first = false;
            if buf[..len].starts_with(BOM) {
                start = BOM.len();
                offset = BOM.len() as u64;
            }
        }
        let last = n == 0;
        let (valid, rest) = match std::str::from_utf8(&buf[start..len]) {
            Ok(s) => (s, 0),
            Err(e) if e.error_len().is_none() && !last => {
                // A character cut by the block's end: read it whole with the next block.
                let v = e.valid_up_to();
                (
                    std::str::from_utf8(&buf[start..start + v]).unwrap_or(""),
                    len - start - v,
                )
            }
            Err(e) => {
                let v = e.valid_up_to();
                let line = 1 + newlines + count_newlines(&buf[start..start + v]);
                return Ok(Utf8Scan::Invalid {
                    at: offset + v as u64,
                    byte: buf[start + v],
                    line,
                });
            }
        };
        for c in valid.chars() {
            if super::is_cjk(c) {
                cjk += 1;
            } else if (0x80..0x800).contains(&(c as u32)) {
                two_byte += 1;
            }
        }
        newlines += count_newlines(valid.as_bytes());
        offset += valid.len() as u64;
        if last {
            return Ok(Utf8Scan::Valid { cjk, two_byte });
        }
        let consumed = start + valid.len();
        buf.copy_within(consumed..len, 0);
        len -= consumed;
        carry = len;
        debug_assert_eq!(carry, rest);
    }
}

/// Reads `open`'s bytes in blocks as GBK. Ok(whether the detector is confident the text is
/// GBK (its best guess's name when not)), or the problem at the first bad byte sequence.
fn scan_gbk(open: Open<'_>) -> io::Result<Result<Result<(), String>, Problem>> {
    let mut r = open()?;
    let mut decoder = encoding_rs::GBK.new_decoder_without_bom_handling();
    let mut detector = chardetng::EncodingDetector::new();
    let mut buf = vec![0u8; BLOCK];
    let mut out = String::with_capacity(BLOCK * 3);
    let (mut offset, mut newlines) = (0u64, 0usize);
    loop {
        let n = read_full(&mut r, &mut buf)?;
        let last = n == 0;
        let mut at = 0;
        loop {
            out.clear();
            let (result, read) =
                decoder.decode_to_string_without_replacement(&buf[at..n], &mut out, last);
            match result {
                encoding_rs::DecoderResult::Malformed(bad, _) => {
                    let bad_at = at + read.saturating_sub(bad as usize);
                    return Ok(Err(Problem::new(
                        1 + newlines + count_newlines(&buf[..bad_at]),
                        "file",
                        format!(
                            "not valid GBK (bad byte sequence at offset {})",
                            offset + bad_at as u64
                        ),
                    )));
                }
                encoding_rs::DecoderResult::OutputFull => at += read,
                encoding_rs::DecoderResult::InputEmpty => break,
            }
        }
        detector.feed(&buf[..n], last);
        newlines += count_newlines(&buf[..n]);
        offset += n as u64;
        if last {
            let (guess, confident) = detector.guess_assess(Some(b"cn"), false);
            return Ok(Ok(
                if confident && (guess == encoding_rs::GBK || guess == encoding_rs::GB18030) {
                    Ok(())
                } else {
                    Err(guess.name().to_string())
                },
            ));
        }
    }
}

/// Settles the encoding of the bytes `open` gives, reading them in blocks: UTF-8 with or
/// without BOM, else GBK when the bytes decode cleanly and the detector is confident;
/// `forced` skips the detection but the bytes must still be what it says.
pub(crate) fn settle_encoding(
    open: Open<'_>,
    forced: Option<Encoding>,
) -> io::Result<Result<Encoding, Problem>> {
    let mut head = [0u8; 3];
    let n = read_full(&mut open()?, &mut head)?;
    let head = &head[..n];
    if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        return Ok(Err(Problem::new(
            1,
            "file",
            "the file is UTF-16 (Excel \"Unicode text\"): save it as \"CSV UTF-8\" or CSV (GBK)",
        )));
    }
    let not_utf8 = |at: u64, byte: u8, line: usize, hint: &str| {
        Problem::new(
            line,
            "file",
            format!("not valid UTF-8 (byte 0x{byte:02X} at offset {at}){hint}"),
        )
    };
    match forced {
        Some(Encoding::Utf8) => Ok(match scan_utf8(open)? {
            Utf8Scan::Valid { .. } => Ok(Encoding::Utf8),
            Utf8Scan::Invalid { at, byte, line } => Err(not_utf8(
                at,
                byte,
                line,
                "; if the file is GBK, pass --encoding gbk",
            )),
        }),
        Some(Encoding::Gbk) => Ok(scan_gbk(open)?.map(|_| Encoding::Gbk)),
        None => match scan_utf8(open)? {
            Utf8Scan::Valid { .. } if head.starts_with(BOM) => Ok(Ok(Encoding::Utf8)),
            Utf8Scan::Valid { cjk, two_byte } if two_byte == 0 || cjk > two_byte => {
                Ok(Ok(Encoding::Utf8))
            }
            Utf8Scan::Valid { .. } => Ok(Err(ambiguous(open)?)),
            Utf8Scan::Invalid { at, byte, line } => Ok(match scan_gbk(open)? {
                Ok(Ok(())) => Ok(Encoding::Gbk),
                Ok(Err(guess)) => Err(Problem::new(
                    1,
                    "file",
                    format!(
                        "the file is not UTF-8, and it is not surely GBK (it looks more like {guess}): save it as CSV UTF-8, or pass --encoding gbk if it is GBK"
                    ),
                )),
                Err(_) => Err(Problem::new(
                    line,
                    "file",
                    format!(
                        "the file is neither UTF-8 nor GBK (first bad byte 0x{byte:02X} at offset {at}): save it as CSV UTF-8, or pass --encoding"
                    ),
                )),
            }),
        },
    }
}

/// Valid UTF-8 that reads like GBK read as UTF-8 (`³ţũó`): the first such line in both readings.
fn ambiguous(open: Open<'_>) -> io::Result<Problem> {
    let two_byte = |c: char| (0x80..0x800).contains(&(c as u32));
    let mut r = BufReader::new(open()?);
    let mut bytes = Vec::new();
    let mut line_no = 0;
    loop {
        bytes.clear();
        if r.read_until(b'\n', &mut bytes)? == 0 {
            break;
        }
        line_no += 1;
        let line = String::from_utf8_lossy(&bytes);
        let line = line
            .trim_end_matches(['\r', '\n'])
            .trim_start_matches('\u{feff}');
        if line.chars().any(two_byte) {
            let raw = bytes.strip_suffix(b"\n").unwrap_or(&bytes);
            let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
            let as_gbk = encoding_rs::GBK
                .decode_without_bom_handling_and_without_replacement(raw)
                .map(|g| format!(", as GBK “{}”", crate::text::inert(&g)))
                .unwrap_or_default();
            return Ok(Problem::new(
                line_no,
                "file",
                format!(
                    "cannot tell the file's encoding for sure: as UTF-8 this line reads “{}”{as_gbk}; pass --encoding utf-8 or --encoding gbk",
                    crate::text::inert(line)
                ),
            ));
        }
    }
    Ok(Problem::new(
        1,
        "file",
        "cannot tell the file's encoding for sure; pass --encoding utf-8 or --encoding gbk",
    ))
}

/// Text of the bytes `open` gives, in `encoding`, without a byte-order mark: what the CSV
/// parser reads.
pub(crate) fn decoded<'a>(
    bytes: Box<dyn Read + 'a>,
    encoding: Encoding,
) -> io::Result<Box<dyn Read + 'a>> {
    let mut r = BufReader::with_capacity(BLOCK, bytes);
    if r.fill_buf()?.starts_with(BOM) {
        r.consume(BOM.len());
    }
    Ok(match encoding {
        Encoding::Utf8 => Box::new(r),
        Encoding::Gbk => Box::new(Decoding {
            inner: r,
            decoder: encoding_rs::GBK.new_decoder_without_bom_handling(),
            input: vec![0; BLOCK],
            start: 0,
            end: 0,
            eof: false,
            out: Vec::new(),
            at: 0,
        }),
    })
}

/// A reader of GBK bytes that gives UTF-8.
struct Decoding<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    input: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    out: Vec<u8>,
    at: usize,
}

impl<R: Read> Read for Decoding<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.at < self.out.len() {
                let n = buf.len().min(self.out.len() - self.at);
                buf[..n].copy_from_slice(&self.out[self.at..self.at + n]);
                self.at += n;
                return Ok(n);
            }
            if self.eof && self.start == self.end {
                return Ok(0);
            }
            if self.start == self.end {
                self.start = 0;
                self.end = read_full(&mut self.inner, &mut self.input)?;
                self.eof = self.end == 0;
            }
            let input = &self.input[self.start..self.end];
            let mut s = String::with_capacity(
                self.decoder
                    .max_utf8_buffer_length_without_replacement(input.len())
                    .unwrap_or(BLOCK * 4)
                    .max(16),
            );
            let (result, read) = self
                .decoder
                .decode_to_string_without_replacement(input, &mut s, self.eof);
            self.start += read;
            if let encoding_rs::DecoderResult::Malformed(..) = result {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "the file is no longer valid GBK: it changed while it was read",
                ));
            }
            if self.eof {
                self.start = self.end;
            }
            self.out = s.into_bytes();
            self.at = 0;
        }
    }
}

fn read_full(r: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

fn count_newlines(b: &[u8]) -> usize {
    b.iter().filter(|&&c| c == b'\n').count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settle(bytes: &[u8], forced: Option<Encoding>) -> Result<Encoding, Problem> {
        let open = || -> io::Result<Box<dyn Read + '_>> { Ok(Box::new(bytes)) };
        settle_encoding(&open, forced).unwrap()
    }

    #[test]
    fn a_character_cut_by_a_block_boundary_is_read_whole() {
        // 上 is three bytes; put it across the first block's end.
        let mut text = "a".repeat(BLOCK - 1);
        text.push_str("上海\n");
        assert_eq!(settle(text.as_bytes(), None), Ok(Encoding::Utf8));
    }

    #[test]
    fn gbk_across_blocks_decodes_as_the_whole_would() {
        let mut text = String::from("name\n");
        while text.len() < 3 * BLOCK {
            text.push_str("上海汽车集团股份有限公司,鲁牛农贸\n");
        }
        let (bytes, _, _) = encoding_rs::GBK.encode(&text);
        assert_eq!(settle(&bytes, None), Ok(Encoding::Gbk));
        let open = || -> io::Result<Box<dyn Read + '_>> { Ok(Box::new(&bytes[..])) };
        let mut out = String::new();
        decoded(open().unwrap(), Encoding::Gbk)
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, text);
    }

    #[test]
    fn the_first_bad_byte_is_found_in_a_later_block() {
        let mut bytes = "x\n".repeat(BLOCK).into_bytes();
        bytes.extend_from_slice(b"ok\n\xFF\xFF\xFF");
        let p = settle(&bytes, Some(Encoding::Utf8)).unwrap_err();
        assert_eq!(p.line, BLOCK + 2, "{p:?}");
        assert!(p.message.contains("offset 131075"), "{p:?}");
    }
}
