//! The new objects of one batch, written as one pack file with its index.
//!
//! libgit2's own path for thousands of new objects was the recorder's bottleneck (`cargo bench
//! --bench record`): every write of an object it doesn't have re-reads the pack folder
//! (`git_odb__freshen` refreshes on a miss), its pack builder searches deltas across the whole
//! batch, and its indexer inflates and re-hashes every object. The recorder knows what each
//! object is a new version of, so here each object is hashed once (with libgit2's
//! collision-detecting SHA-1, as git does), stored as a delta against the batch's last version
//! of the same path that is stored whole when the delta is less than half the object's size,
//! and the pack and its index are written directly in git's formats (git's
//! `Documentation/gitformat-pack.txt`). libgit2 still reads everything.

use flate2::{Compress, Compression, FlushCompress, Status};
use git2::{ObjectType, Oid};
use sha1::{Digest, Sha1};
use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Read;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Objects smaller than this are stored in their zlib stream without compression: a reset of
/// zlib-rs clears its 128 KiB hash table, which costs more than deflating a few hundred bytes
/// saves (tree deltas and commits are this small). `git gc` recompresses them.
const STORED_BELOW: usize = 1024;

/// `data` (under [`STORED_BELOW`] bytes) as a zlib stream holding one stored, uncompressed
/// deflate block (RFC 1950; RFC 1951, 3.2.4).
fn stored(data: &[u8]) -> Vec<u8> {
    const _: () = assert!(
        STORED_BELOW <= u16::MAX as usize,
        "one stored block holds it"
    );
    let len = data.len() as u16;
    let mut out = Vec::with_capacity(data.len() + 11);
    // CMF: deflate, 32 KiB window; FLG: no dictionary, check bits making CMF·FLG % 31 == 0.
    out.extend_from_slice(&[0x78, 0x01]);
    // BFINAL set, BTYPE 00 (stored), then LEN and its complement.
    out.push(1);
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&(!len).to_le_bytes());
    out.extend_from_slice(data);
    out.extend_from_slice(&adler2::adler32_slice(data).to_be_bytes());
    out
}

/// Objects waiting to be packed, in the order they were made (a delta's base comes first).
pub(crate) struct Batch {
    entries: Vec<Entry>,
    by_oid: HashMap<Oid, usize>,
    /// Per path: the entry that later versions of the path are stored as deltas of.
    bases: HashMap<String, usize>,
    /// One compressor for every object: setting one up costs more than compressing a small
    /// object.
    deflate: Compress,
    bytes: usize,
}

impl Default for Batch {
    fn default() -> Batch {
        Batch {
            entries: Vec::new(),
            by_oid: HashMap::new(),
            bases: HashMap::new(),
            // Speed over size: a batch is packed while a run waits, and `git gc` recompresses
            // whenever the space matters.
            deflate: Compress::new(Compression::fast(), true),
            bytes: 0,
        }
    }
}

struct Entry {
    oid: Oid,
    kind: ObjectType,
    /// The object, or its delta against `base`, zlib-compressed.
    compressed: Vec<u8>,
    /// The size of what `compressed` holds, uncompressed.
    size: usize,
    base: Option<usize>,
    /// Added with a path: may be read back ([`Batch::get`]) or serve as a delta base.
    readable: bool,
    /// A tree stored whole, as it is: the base the next versions of its folder are deltas of.
    /// Other objects are inflated when read, so that a batch holds them compressed only.
    tree: Option<Vec<u8>>,
}

impl Batch {
    /// Adds an object; `path` names what it is a version of (for deltas and reading back), and
    /// objects without one (raw pages, commits) are not kept in memory once compressed.
    pub fn add(
        &mut self,
        kind: ObjectType,
        data: Vec<u8>,
        path: Option<&str>,
    ) -> Result<Oid, git2::Error> {
        let oid = Oid::hash_object(kind, &data)?;
        if let Some(&known) = self.by_oid.get(&oid) {
            // Stored whole the first time if it had no path, so it can be read back now.
            self.entries[known].readable |= path.is_some();
            return Ok(oid);
        }
        let index = self.entries.len();
        let base = path.and_then(|p| self.bases.get(p).copied());
        let delta = base.and_then(|b| {
            let delta = delta(kind, &self.content(b)?, &data);
            // A delta half the object's size or more is not worth a reader's extra step.
            (delta.len() < data.len() / 2).then_some((b, delta))
        });
        let (base, size, compressed) = match delta {
            Some((b, delta)) => (Some(b), delta.len(), self.compress(&delta)),
            None => {
                if let Some(p) = path {
                    self.bases.insert(p.to_owned(), index);
                }
                (None, data.len(), self.compress(&data))
            }
        };
        self.bytes += compressed.len();
        let tree = (kind == ObjectType::Tree && base.is_none()).then_some(data);
        self.bytes += tree.as_ref().map_or(0, Vec::len);
        self.entries.push(Entry {
            oid,
            kind,
            compressed,
            size,
            base,
            readable: path.is_some(),
            tree,
        });
        self.by_oid.insert(oid, index);
        Ok(oid)
    }

    /// An object of this batch that was added with a path.
    pub fn get(&self, oid: Oid) -> Option<(ObjectType, Cow<'_, [u8]>)> {
        let index = *self.by_oid.get(&oid)?;
        Some((self.entries[index].kind, self.content(index)?))
    }

    /// The memory the batch holds, in bytes (what bounds a batch besides its changes).
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    fn content(&self, index: usize) -> Option<Cow<'_, [u8]>> {
        let entry = &self.entries[index];
        if !entry.readable {
            return None;
        }
        if let Some(tree) = &entry.tree {
            return Some(Cow::Borrowed(tree));
        }
        let stored = inflate(&entry.compressed)?;
        Some(Cow::Owned(match entry.base {
            None => stored,
            Some(base) => apply_delta(&self.content(base)?, &stored)?,
        }))
    }

    /// Writes the pack and its index into `pack_dir` (the pack first: readers look for the
    /// index) and empties the batch.
    pub fn write(&mut self, pack_dir: &Path) -> io::Result<()> {
        if self.entries.is_empty() {
            return Ok(());
        }
        let tmp = pack_dir.join(format!("tmp_pack_palimpsest_{}", std::process::id()));
        let mut file = io::BufWriter::new(std::fs::File::create(&tmp)?);
        let mut hasher = Sha1::new();
        let mut put = |bytes: &[u8]| -> io::Result<()> {
            hasher.update(bytes);
            file.write_all(bytes)
        };
        let count = u32::try_from(self.entries.len()).map_err(io::Error::other)?;
        put(b"PACK")?;
        put(&2u32.to_be_bytes())?;
        put(&count.to_be_bytes())?;
        let mut offsets = Vec::with_capacity(self.entries.len());
        let mut crcs = Vec::with_capacity(self.entries.len());
        let mut offset = 12u64;
        for entry in &self.entries {
            let mut header = Vec::with_capacity(16);
            match entry.base {
                Some(base) => {
                    entry_header(&mut header, OFS_DELTA, entry.size);
                    ofs_delta_distance(&mut header, offset - offsets[base]);
                }
                None => entry_header(&mut header, type_code(entry.kind), entry.size),
            }
            let mut crc = crc32fast::Hasher::new();
            crc.update(&header);
            crc.update(&entry.compressed);
            put(&header)?;
            put(&entry.compressed)?;
            offsets.push(offset);
            crcs.push(crc.finalize());
            offset += (header.len() + entry.compressed.len()) as u64;
        }
        let checksum: [u8; 20] = hasher.finalize().into();
        file.write_all(&checksum)?;
        file.into_inner().map_err(io::IntoInnerError::into_error)?;

        let name = pack_dir.join(format!("pack-{}", hex(&checksum)));
        let idx = self.index(&offsets, &crcs, &checksum);
        let tmp_idx = tmp.with_extension("idx");
        std::fs::write(&tmp_idx, idx)?;
        std::fs::rename(&tmp, with_extension(&name, "pack"))?;
        std::fs::rename(&tmp_idx, with_extension(&name, "idx"))?;
        self.entries.clear();
        self.by_oid.clear();
        self.bases.clear();
        self.bytes = 0;
        Ok(())
    }

    /// `data` as one zlib stream.
    fn compress(&mut self, data: &[u8]) -> Vec<u8> {
        if data.len() < STORED_BELOW {
            return stored(data);
        }
        self.deflate.reset();
        let mut out = Vec::with_capacity(data.len() / 2 + 64);
        loop {
            let done = self.deflate.total_in() as usize;
            let status = self
                .deflate
                .compress_vec(&data[done..], &mut out, FlushCompress::Finish)
                .expect("deflate into memory");
            if status == Status::StreamEnd {
                return out;
            }
            out.reserve(out.capacity().max(64));
        }
    }

    /// The version 2 pack index: object ids in order with their CRC-32 and offset.
    fn index(&self, offsets: &[u64], crcs: &[u32], checksum: &[u8; 20]) -> Vec<u8> {
        let mut order: Vec<usize> = (0..self.entries.len()).collect();
        order.sort_by_key(|&i| self.entries[i].oid);
        let mut out = Vec::with_capacity(8 + 1024 + order.len() * 28 + 40);
        out.extend_from_slice(b"\xfftOc");
        out.extend_from_slice(&2u32.to_be_bytes());
        let mut fanout = [0u32; 256];
        for entry in &self.entries {
            fanout[entry.oid.as_bytes()[0] as usize] += 1;
        }
        let mut total = 0;
        for count in fanout {
            total += count;
            out.extend_from_slice(&total.to_be_bytes());
        }
        for &i in &order {
            out.extend_from_slice(self.entries[i].oid.as_bytes());
        }
        for &i in &order {
            out.extend_from_slice(&crcs[i].to_be_bytes());
        }
        // Offsets past 2 GiB go to a table of 64-bit offsets, named by index with the top bit.
        let mut large = Vec::new();
        for &i in &order {
            let offset = offsets[i];
            let small = if offset < 0x8000_0000 {
                offset as u32
            } else {
                large.push(offset);
                0x8000_0000 | (large.len() - 1) as u32
            };
            out.extend_from_slice(&small.to_be_bytes());
        }
        for offset in large {
            out.extend_from_slice(&offset.to_be_bytes());
        }
        out.extend_from_slice(checksum);
        let own: [u8; 20] = Sha1::digest(&out).into();
        out.extend_from_slice(&own);
        out
    }
}

const OFS_DELTA: u8 = 6;

fn type_code(kind: ObjectType) -> u8 {
    match kind {
        ObjectType::Commit => 1,
        ObjectType::Tree => 2,
        ObjectType::Tag => 4,
        _ => 3,
    }
}

/// Type and size: 4 bits of size in the first byte, then 7 per byte, low bits first.
fn entry_header(out: &mut Vec<u8>, code: u8, size: usize) {
    let mut byte = (code << 4) | (size & 0x0f) as u8;
    let mut rest = size >> 4;
    while rest > 0 {
        out.push(byte | 0x80);
        byte = (rest & 0x7f) as u8;
        rest >>= 7;
    }
    out.push(byte);
}

/// How far back the base of an offset delta starts: big-endian 7-bit groups, each group but
/// the last stored minus one (git's encoding, which has no redundant forms).
fn ofs_delta_distance(out: &mut Vec<u8>, mut distance: u64) {
    let mut buf = [0u8; 10];
    let mut pos = buf.len() - 1;
    buf[pos] = (distance & 0x7f) as u8;
    distance >>= 7;
    while distance > 0 {
        distance -= 1;
        pos -= 1;
        buf[pos] = 0x80 | (distance & 0x7f) as u8;
        distance >>= 7;
    }
    out.extend_from_slice(&buf[pos..]);
}

/// A git delta turning `base` into `target`: copies of the runs of tree entries (or lines) the
/// two share, and the rest inserted.
fn delta(kind: ObjectType, base: &[u8], target: &[u8]) -> Vec<u8> {
    let old = units(kind, base);
    let new = units(kind, target);
    let ops = if kind == ObjectType::Tree {
        tree_ops(&old, &new)
    } else {
        // Myers is quadratic in the worst case (a whole long text rewritten); past the
        // deadline it settles for a coarser diff, which only makes the delta bigger.
        let deadline = std::time::Instant::now() + std::time::Duration::from_millis(50);
        similar::capture_diff_slices_deadline(similar::Algorithm::Myers, &old, &new, Some(deadline))
    };
    let starts = |units: &[&[u8]]| {
        let mut at = Vec::with_capacity(units.len() + 1);
        let mut sum = 0;
        at.push(0);
        for u in units {
            sum += u.len();
            at.push(sum);
        }
        at
    };
    let (old_at, new_at) = (starts(&old), starts(&new));
    let mut out = Vec::new();
    varint(&mut out, base.len());
    varint(&mut out, target.len());
    for op in ops {
        match op {
            similar::DiffOp::Equal { old_index, len, .. } => {
                let start = old_at[old_index];
                copy(&mut out, start, old_at[old_index + len] - start);
            }
            similar::DiffOp::Insert {
                new_index, new_len, ..
            }
            | similar::DiffOp::Replace {
                new_index, new_len, ..
            } => {
                insert(
                    &mut out,
                    &target[new_at[new_index]..new_at[new_index + new_len]],
                );
            }
            similar::DiffOp::Delete { .. } => {}
        }
    }
    out
}

/// The edits between two trees' entries, found in one pass: entries are sorted by name, so a
/// merge of the two lists is the shortest edit (Myers found the same, at a cost that grew with
/// the folder times the changes since the delta base: 6% of a first pass over 1,000 articles
/// in one folder).
/// Entries out of order, in a tree palimpsest didn't write, only make the delta bigger.
fn tree_ops(old: &[&[u8]], new: &[&[u8]]) -> Vec<similar::DiffOp> {
    let mut ops: Vec<similar::DiffOp> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while j < new.len() {
        let same = old.get(i) == Some(&new[j]);
        let order = old.get(i).filter(|_| !same).map(|o| entry_order(o, new[j]));
        match (same, order) {
            (true, _) => {
                match ops.last_mut() {
                    Some(similar::DiffOp::Equal {
                        old_index,
                        new_index,
                        len,
                    }) if *old_index + *len == i && *new_index + *len == j => *len += 1,
                    _ => ops.push(similar::DiffOp::Equal {
                        old_index: i,
                        new_index: j,
                        len: 1,
                    }),
                }
                i += 1;
                j += 1;
                continue;
            }
            // Gone from the new tree.
            (false, Some(std::cmp::Ordering::Less)) => {
                i += 1;
                continue;
            }
            // The same name with another id or mode.
            (false, Some(std::cmp::Ordering::Equal)) => i += 1,
            _ => {}
        }
        match ops.last_mut() {
            Some(similar::DiffOp::Insert {
                new_index, new_len, ..
            }) if *new_index + *new_len == j => *new_len += 1,
            _ => ops.push(similar::DiffOp::Insert {
                old_index: i,
                new_index: j,
                new_len: 1,
            }),
        }
        j += 1;
    }
    ops
}

/// Two tree entries in git's order: by name, a folder's (mode 40000) as if it ended in `/`.
fn entry_order(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    fn key(entry: &[u8]) -> impl Iterator<Item = &u8> {
        let space = entry.iter().position(|&b| b == b' ').unwrap_or(0);
        let nul = entry.iter().position(|&b| b == 0).unwrap_or(entry.len());
        let folder = &entry[..space] == b"40000";
        entry[(space + 1).min(nul)..nul]
            .iter()
            .chain(folder.then_some(&b'/'))
    }
    key(a).cmp(key(b))
}

/// Tree entries (`mode name\0` and a 20-byte id) or lines: what changes between versions.
fn units(kind: ObjectType, data: &[u8]) -> Vec<&[u8]> {
    if kind != ObjectType::Tree {
        return data.split_inclusive(|&b| b == b'\n').collect();
    }
    let mut out = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        let end = match rest.iter().position(|&b| b == 0) {
            Some(nul) => (nul + 21).min(rest.len()),
            None => rest.len(),
        };
        out.push(&rest[..end]);
        rest = &rest[end..];
    }
    out
}

fn inflate(compressed: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    flate2::read::ZlibDecoder::new(compressed)
        .read_to_end(&mut out)
        .ok()?;
    Some(out)
}

/// The object a delta of [`delta`] makes of `base`; `None` if the delta doesn't fit `base`.
fn apply_delta(base: &[u8], delta: &[u8]) -> Option<Vec<u8>> {
    let mut at = 0;
    let read_varint = |at: &mut usize| -> Option<usize> {
        let mut n = 0;
        let mut shift = 0;
        loop {
            let byte = *delta.get(*at)?;
            *at += 1;
            n |= ((byte & 0x7f) as usize) << shift;
            shift += 7;
            if byte & 0x80 == 0 {
                return Some(n);
            }
        }
    };
    if read_varint(&mut at)? != base.len() {
        return None;
    }
    let len = read_varint(&mut at)?;
    let mut out = Vec::with_capacity(len);
    while let Some(&cmd) = delta.get(at) {
        at += 1;
        if cmd & 0x80 != 0 {
            let (mut offset, mut size) = (0usize, 0usize);
            for i in 0..4 {
                if cmd & (1 << i) != 0 {
                    offset |= (*delta.get(at)? as usize) << (8 * i);
                    at += 1;
                }
            }
            for i in 0..3 {
                if cmd & (0x10 << i) != 0 {
                    size |= (*delta.get(at)? as usize) << (8 * i);
                    at += 1;
                }
            }
            if size == 0 {
                size = 0x10000;
            }
            out.extend_from_slice(base.get(offset..offset + size)?);
        } else if cmd > 0 {
            out.extend_from_slice(delta.get(at..at + cmd as usize)?);
            at += cmd as usize;
        } else {
            return None;
        }
    }
    (out.len() == len).then_some(out)
}

fn varint(out: &mut Vec<u8>, mut n: usize) {
    while n >= 0x80 {
        out.push((n & 0x7f) as u8 | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// Copy instructions: a flag byte saying which offset and size bytes follow (zero bytes are
/// left out); one copies at most 0xffffff bytes.
fn copy(out: &mut Vec<u8>, mut offset: usize, mut len: usize) {
    while len > 0 {
        let n = len.min(0xff_ffff);
        let mut flags = 0x80u8;
        let mut args = [0u8; 7];
        let mut k = 0;
        for i in 0..4 {
            let b = (offset >> (8 * i)) as u8;
            if b != 0 {
                flags |= 1 << i;
                args[k] = b;
                k += 1;
            }
        }
        for i in 0..3 {
            let b = (n >> (8 * i)) as u8;
            if b != 0 {
                flags |= 0x10 << i;
                args[k] = b;
                k += 1;
            }
        }
        out.push(flags);
        out.extend_from_slice(&args[..k]);
        offset += n;
        len -= n;
    }
}

/// Insert instructions carry up to 127 literal bytes each.
fn insert(out: &mut Vec<u8>, bytes: &[u8]) {
    for chunk in bytes.chunks(0x7f) {
        out.push(chunk.len() as u8);
        out.extend_from_slice(chunk);
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn with_extension(path: &Path, ext: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(ext);
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pack and index must read back through libgit2 and pass git's own checks.
    #[test]
    fn packs_read_back_through_libgit2_and_git() {
        let dir = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init_bare(dir.path()).unwrap();
        let mut batch = Batch::default();
        let mut blobs = Vec::new();
        let mut text = String::new();
        for i in 0..50 {
            text.push_str(&format!("Sentence {i} of a growing article.\n"));
            let data = if i % 7 == 3 {
                text.replace("article", "story")
            } else {
                text.clone()
            };
            blobs.push((
                batch
                    .add(ObjectType::Blob, data.clone().into_bytes(), Some("a.txt"))
                    .unwrap(),
                data,
            ));
        }
        for (oid, data) in &blobs {
            assert_eq!(
                batch.get(*oid).unwrap().1.as_ref(),
                data.as_bytes(),
                "read back before packing"
            );
        }
        let big = vec![b'x'; 300_000];
        let big_oid = batch.add(ObjectType::Blob, big.clone(), None).unwrap();
        assert!(batch.get(big_oid).is_none(), "raw pages are not kept");
        assert!(
            batch.entries.iter().any(|e| e.base.is_some()),
            "versions became deltas"
        );
        batch.write(&dir.path().join("objects/pack")).unwrap();
        let odb = repo.odb().unwrap();
        odb.refresh().unwrap();
        for (oid, data) in &blobs {
            assert_eq!(odb.read(*oid).unwrap().data(), data.as_bytes());
        }
        assert_eq!(odb.read(big_oid).unwrap().data(), &big[..]);
        let out = std::process::Command::new("git")
            .args(["verify-pack", "-v"])
            .arg(
                std::fs::read_dir(dir.path().join("objects/pack"))
                    .unwrap()
                    .map(|e| e.unwrap().path())
                    .find(|p| p.extension().is_some_and(|e| e == "idx"))
                    .unwrap(),
            )
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    #[test]
    fn small_objects_are_stored_zlib_streams() {
        let mut batch = Batch::default();
        for len in [0, 1, 100, STORED_BELOW - 1, STORED_BELOW] {
            let data: Vec<u8> = (0..len).map(|i| (i % 7) as u8).collect();
            let stream = batch.compress(&data);
            let mut back = Vec::new();
            flate2::read::ZlibDecoder::new(&stream[..])
                .read_to_end(&mut back)
                .unwrap();
            assert_eq!(back, data, "{len} bytes");
            // Stored: two header bytes, five of block header, four of checksum.
            assert_eq!(stream.len() == len + 11, len < STORED_BELOW, "{len} bytes");
        }
    }

    /// A tree's bytes from (mode, name, id byte) entries, in the order given.
    fn tree(entries: &[(&str, &str, u8)]) -> Vec<u8> {
        let mut out = Vec::new();
        for (mode, name, id) in entries {
            out.extend_from_slice(format!("{mode} {name}\0").as_bytes());
            out.extend_from_slice(&[*id; 20]);
        }
        out
    }

    #[test]
    fn tree_deltas_rebuild_the_tree_and_stay_small() {
        let names: Vec<String> = (0..300).map(|i| format!("{i}.txt")).collect();
        let entries = |skip: usize, changed: usize| -> Vec<(&str, &str, u8)> {
            let mut e: Vec<(&str, &str, u8)> = names
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != skip)
                .map(|(i, n)| ("100644", n.as_str(), if i == changed { 9 } else { 1 }))
                .collect();
            // A folder named like a file's prefix: `a` sorts as `a/`, after `a.txt`.
            e.extend([
                ("100644", "a.txt", 1),
                ("40000", "a", 2),
                ("100644", "a0", 3),
            ]);
            e.sort_by(|x, y| entry_order(&tree(&[*x]), &tree(&[*y])));
            e
        };
        let base = tree(&entries(usize::MAX, usize::MAX));
        let cases = [
            tree(&entries(17, usize::MAX)),               // an entry gone
            tree(&entries(usize::MAX, 250)),              // an entry's id changed
            tree(&entries(5, 200)),                       // both
            tree(&entries(usize::MAX, usize::MAX)[..10]), // most gone
            [base.clone(), tree(&[("100644", "zzz", 4)])].concat(), // one added at the end
            tree(&[("100644", "b", 1), ("100644", "a", 1)]), // out of order: still right
            Vec::new(),
        ];
        for target in cases {
            let d = delta(ObjectType::Tree, &base, &target);
            assert_eq!(apply_delta(&base, &d).as_deref(), Some(&target[..]));
            if target.len() > 1000 {
                assert!(d.len() < 100, "a delta of {} bytes", d.len());
            }
        }
    }

    #[test]
    fn distances_and_sizes_use_gits_encodings() {
        let mut out = Vec::new();
        ofs_delta_distance(&mut out, 127);
        ofs_delta_distance(&mut out, 128);
        assert_eq!(out, [0x7f, 0x80, 0x00]);
        out.clear();
        entry_header(&mut out, 3, 300);
        assert_eq!(out, [0xbc, 0x12]);
    }
}
