//! Display names and avatars for test accounts: an `app.bsky.actor.profile/self` record with an
//! uploaded avatar blob, written as the account itself (a password session at its PDS), and a
//! small generated PNG per account so screenshots show distinct avatars.

use serde_json::{Value, json};

use crate::localnet::{Account, Network};

/// Sets `account`'s display name and avatar (a PNG) on the local PDS.
pub async fn set_profile(net: &Network, account: &Account, display_name: &str, avatar_png: &[u8]) -> Value {
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let pds = net.pds_url();
    let session: Value = http
        .post(format!("{pds}/xrpc/com.atproto.server.createSession"))
        .json(&json!({ "identifier": account.handle, "password": account.password }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let jwt = session["accessJwt"].as_str().unwrap_or_else(|| panic!("createSession: {session}")).to_owned();
    let uploaded: Value = http
        .post(format!("{pds}/xrpc/com.atproto.repo.uploadBlob"))
        .bearer_auth(&jwt)
        .header("content-type", "image/png")
        .body(avatar_png.to_vec())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(uploaded["blob"].is_object(), "uploadBlob: {uploaded}");
    let put: Value = http
        .post(format!("{pds}/xrpc/com.atproto.repo.putRecord"))
        .bearer_auth(&jwt)
        .json(&json!({
            "repo": account.did,
            "collection": "app.bsky.actor.profile",
            "rkey": "self",
            "record": {
                "$type": "app.bsky.actor.profile",
                "displayName": display_name,
                "avatar": uploaded["blob"],
            },
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(put["uri"].is_string(), "putRecord: {put}");
    put
}

/// A 96×96 avatar: a diagonal gradient between two colours picked from `seed`, with a lighter
/// disc in the middle.
pub fn avatar_png(seed: u32) -> Vec<u8> {
    const SIZE: u32 = 96;
    let hue = |n: u32| -> [u8; 3] {
        const PALETTE: [[u8; 3]; 8] = [
            [0x3b, 0x82, 0xf6],
            [0xef, 0x44, 0x44],
            [0x10, 0xb9, 0x81],
            [0xf5, 0x9e, 0x0b],
            [0x8b, 0x5c, 0xf6],
            [0xec, 0x48, 0x99],
            [0x14, 0xb8, 0xa6],
            [0x64, 0x74, 0x8b],
        ];
        PALETTE[(n % 8) as usize]
    };
    let (a, b) = (hue(seed), hue(seed / 8 + seed + 3));
    let mut raw = Vec::with_capacity(((SIZE * 3 + 1) * SIZE) as usize);
    for y in 0..SIZE {
        raw.push(0); // no filter
        for x in 0..SIZE {
            let t = (x + y) as f32 / (2 * SIZE) as f32;
            let (dx, dy) = (x as f32 - 48.0, y as f32 - 40.0);
            let disc =
                dx * dx + dy * dy < 18.0 * 18.0 || (dx * dx / 2.2 + (y as f32 - 92.0).powi(2) < 34.0 * 34.0);
            for c in 0..3 {
                let v = f32::from(a[c]) * (1.0 - t) + f32::from(b[c]) * t;
                let v = if disc { v + (255.0 - v) * 0.55 } else { v };
                raw.push(v as u8);
            }
        }
    }
    png(SIZE, SIZE, &raw)
}

/// An RGB PNG from filtered scanlines, with stored (uncompressed) deflate blocks.
fn png(width: u32, height: u32, raw: &[u8]) -> Vec<u8> {
    let mut zlib = vec![0x78, 0x01];
    let chunks: Vec<&[u8]> = raw.chunks(65_535).collect();
    for (i, block) in chunks.iter().enumerate() {
        zlib.push(u8::from(i + 1 == chunks.len()));
        let len = block.len() as u16;
        zlib.extend_from_slice(&len.to_le_bytes());
        zlib.extend_from_slice(&(!len).to_le_bytes());
        zlib.extend_from_slice(block);
    }
    let (mut s1, mut s2) = (1u32, 0u32);
    for &byte in raw {
        s1 = (s1 + u32::from(byte)) % 65_521;
        s2 = (s2 + s1) % 65_521;
    }
    zlib.extend_from_slice(&((s2 << 16) | s1).to_be_bytes());

    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut header = Vec::new();
    header.extend_from_slice(&width.to_be_bytes());
    header.extend_from_slice(&height.to_be_bytes());
    header.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &header);
    chunk(&mut out, b"IDAT", &zlib);
    chunk(&mut out, b"IEND", &[]);
    out
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc = 0xffff_ffffu32;
    for &byte in kind.iter().chain(data) {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { 0xedb8_8320 ^ (crc >> 1) } else { crc >> 1 };
        }
    }
    out.extend_from_slice(&(!crc).to_be_bytes());
}
