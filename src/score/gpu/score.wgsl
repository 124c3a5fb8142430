// localrank GPU scorer: scores every item of one table chunk for one int8 user vector and keeps
// each workgroup's top-k, so only k candidates per workgroup are read back (not N scores).
//
// Arithmetic follows the scoring contract in docs/FORMAT.md § 2:
//   acc_j = Σ_k q_u[k]·q_j[k]                  exact, in i32
//   score_j = (f32(acc_j) · s_j) · s_u + b_j     f32, in this order
//   score_j += f32(nacc_j) · s_n                  when the sparse neighbour term (§ 2.3) has
//                                                an accumulator nacc_j ≠ 0 for item j
// (A driver may fuse the last multiply-add into an FMA; the tests state that tolerance.)
// Ranking: higher score first, equal scores → lower item index first.

struct Params {
    // Items in this chunk.
    n: u32,
    // u32 words per row: ceil(d / 4); each word packs 4 int8 values, little-endian.
    d_words: u32,
    // Global index of this chunk's first item (for ids and exclusions).
    first: u32,
    // Candidates kept per workgroup (≤ MAX_K).
    k: u32,
    // Entries in `excluded`.
    n_excluded: u32,
    // The user's scale s_u.
    user_scale: f32,
    // Entries in `boosts`.
    n_boosts: u32,
    // Scale s_n of the neighbour accumulators.
    boost_scale: f32,
    // This chunk's first slot in `out` (chunks share one candidate buffer; a binding offset
    // would have to be 256-byte aligned).
    out_base: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
};

// One item's neighbour accumulator (docs/FORMAT.md § 2.3), computed on the CPU from the history.
struct Boost {
    index: u32,
    acc: u32,
};

struct Candidate {
    score: f32,
    index: u32,
};

const WG: u32 = 256u;
// Items per invocation: a workgroup covers WG * PER_THREAD consecutive items.
const PER_THREAD: u32 = 16u;
const NONE: u32 = 0xffffffffu;

@group(0) @binding(0) var<storage, read> rows: array<u32>;
// Per item: scale then bias, interleaved (2 floats per item).
@group(0) @binding(1) var<storage, read> scale_bias: array<f32>;
@group(0) @binding(2) var<storage, read> user: array<u32>;
// Global indices of items to skip, ascending (at least one entry; unused when n_excluded = 0).
@group(0) @binding(3) var<storage, read> excluded: array<u32>;
@group(0) @binding(4) var<storage, read_write> out: array<Candidate>;
@group(0) @binding(5) var<uniform> params: Params;
// Neighbour accumulators by global item index, ascending (at least one entry).
@group(0) @binding(6) var<storage, read> boosts: array<Boost>;

var<workgroup> best_score: array<f32, WG>;
var<workgroup> best_index: array<u32, WG>;
var<workgroup> best_slot: array<u32, WG>;

fn dot4(a: u32, b: u32) -> i32 {
    let x = bitcast<i32>(a);
    let y = bitcast<i32>(b);
    // extractBits on i32 sign-extends the field: each byte is an int8.
    return extractBits(x, 0u, 8u) * extractBits(y, 0u, 8u)
         + extractBits(x, 8u, 8u) * extractBits(y, 8u, 8u)
         + extractBits(x, 16u, 8u) * extractBits(y, 16u, 8u)
         + extractBits(x, 24u, 8u) * extractBits(y, 24u, 8u);
}

fn is_excluded(global: u32) -> bool {
    var lo = 0u;
    var hi = params.n_excluded;
    while (lo < hi) {
        let mid = (lo + hi) / 2u;
        let v = excluded[mid];
        if (v == global) {
            return true;
        }
        if (v < global) {
            lo = mid + 1u;
        } else {
            hi = mid;
        }
    }
    return false;
}

fn boost_of(global: u32) -> u32 {
    var lo = 0u;
    var hi = params.n_boosts;
    while (lo < hi) {
        let mid = (lo + hi) / 2u;
        let b = boosts[mid];
        if (b.index == global) {
            return b.acc;
        }
        if (b.index < global) {
            lo = mid + 1u;
        } else {
            hi = mid;
        }
    }
    return 0u;
}

// a ranks before b.
fn better(sa: f32, ia: u32, sb: f32, ib: u32) -> bool {
    if (ia == NONE) {
        return false;
    }
    if (ib == NONE) {
        return true;
    }
    return sa > sb || (sa == sb && ia < ib);
}

@compute @workgroup_size(256)
fn top_k(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
    let t = lid.x;
    let segment = wid.x * WG * PER_THREAD;

    // Score this invocation's items (strided by WG so neighbouring invocations read
    // neighbouring rows).
    var scores: array<f32, PER_THREAD>;
    var live = 0u; // bit i set: item i is a candidate still to be picked
    for (var i = 0u; i < PER_THREAD; i++) {
        let local_item = segment + t + i * WG;
        if (local_item >= params.n) {
            break;
        }
        let global = params.first + local_item;
        if (params.n_excluded > 0u && is_excluded(global)) {
            continue;
        }
        var acc = 0;
        let base = local_item * params.d_words;
        for (var w = 0u; w < params.d_words; w++) {
            acc += dot4(rows[base + w], user[w]);
        }
        let t_j = f32(acc) * scale_bias[2u * local_item];
        var s = t_j * params.user_scale + scale_bias[2u * local_item + 1u];
        if (params.n_boosts > 0u) {
            let nacc = boost_of(global);
            if (nacc != 0u) {
                let n = f32(nacc) * params.boost_scale;
                s = s + n;
            }
        }
        scores[i] = s;
        live |= 1u << i;
    }

    // k rounds: each round the workgroup picks its best remaining item.
    var mine_score = 0.0;
    var mine_index = NONE;
    var mine_slot = 0u;
    var stale = true;
    for (var round = 0u; round < params.k; round++) {
        if (stale) {
            mine_index = NONE;
            for (var i = 0u; i < PER_THREAD; i++) {
                if ((live & (1u << i)) != 0u) {
                    let idx = params.first + segment + t + i * WG;
                    if (better(scores[i], idx, mine_score, mine_index)) {
                        mine_score = scores[i];
                        mine_index = idx;
                        mine_slot = i;
                    }
                }
            }
            stale = false;
        }
        best_score[t] = mine_score;
        best_index[t] = mine_index;
        best_slot[t] = t;
        workgroupBarrier();
        for (var stride = WG / 2u; stride > 0u; stride /= 2u) {
            if (t < stride) {
                let o = t + stride;
                if (better(best_score[o], best_index[o], best_score[t], best_index[t])) {
                    best_score[t] = best_score[o];
                    best_index[t] = best_index[o];
                    best_slot[t] = best_slot[o];
                }
            }
            workgroupBarrier();
        }
        let winner = best_slot[0];
        let win_index = best_index[0];
        if (t == 0u) {
            let o = params.out_base + wid.x * params.k + round;
            out[o].score = best_score[0];
            out[o].index = win_index;
        }
        if (t == winner && win_index != NONE) {
            live &= ~(1u << mine_slot);
            stale = true;
        }
        workgroupBarrier();
    }
}
