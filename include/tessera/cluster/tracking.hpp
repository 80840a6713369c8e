#pragma once
/// @file
/// Clusters of flagged atoms followed across frames: births, growth, merges, splits, deaths, and
/// the delay from the events of one signal to the next events of another.
///
/// Each frame gives clusters as sets of atom ids (cluster/components.hpp's find_clusters maps
/// through the frame's id column, so atoms may be reordered between frames). A *track* is one
/// cluster followed from frame to frame. Frame t (clusters p) → frame t+1 (clusters c):
///  - overlap(p, c) = number of atom ids in both. p and c are *linked* when overlap > 0.
///  - Every c with links picks its primary predecessor: the linked p of largest overlap; ties:
///    the p whose track is older (smaller first frame), then the lower track id.
///  - Every p with links picks its primary successor: the linked c of largest overlap; ties: the
///    larger c, then the c holding the smallest atom id (ids, not indices: the choice does not
///    depend on atom or cluster order).
///  - p's track continues into c iff c is p's primary successor and p is c's primary predecessor
///    (mutual best match). Growth and shrinkage are continuations (see track::sizes).
///  - A c that continues no track starts a new track: origin `birth` when it has no link (also
///    every cluster of the first frame), origin `split` when it has links, with parent = the
///    track of its primary predecessor. New tracks of one frame are numbered in the order of
///    their smallest atom id, so track ids too are independent of atom and cluster order.
///  - A p whose track does not continue ends: `death` when it has no link; `merged` when it has
///    links, with merged_into = the track that its primary successor carries after frame t+1.
/// For a pure merge (c linked to p1, p2, ... each linked to c only) this is "the largest overlap
/// continues, the others end as merged into it"; for a pure split (p linked to c1, c2, ...) "the
/// largest overlap continues, the others are born as split from it"; the mutual-best rule makes
/// the many-to-many case (merge and split at once) well defined with the same tie rules. There
/// is no gap closing: a cluster absent for one frame ends (death) and its return is a birth.
/// Matching by shared ids needs no distance cutoff, is independent of atom and cluster order,
/// and is the cluster analogue of a particle's identity. With it one counts the "newly formed
/// defect clusters per frame" and times the delay from LENS-fluctuation clusters to the
/// nucleation of CNA/CSP defect clusters, as in Perrone, Cioni, Delle Piane & Pavan, "Unsupervised
/// tracking of local and collective defects dynamics in metals under deformation", J. Chem.
/// Phys. 162(21) (2025), doi:10.1063/5.0265378, Fig. 3d and 3i.
///
/// delays_to_next_event(a, b): for each track x of a, the first track y of b that is born at
/// or after x's birth (timestep(y.first) >= timestep(x.first)) and whose atoms at birth share at
/// least one id with x's atoms over its whole life (track::atoms); delay = y.first_timestep -
/// x.first_timestep (≥ 0, in timestep units); earliest y, ties the lower track id. Sharing atom
/// ids needs no box or cutoff and is exact; a distance criterion would only widen "same place".
///
/// Cost: per frame O(members) with a hash map atom id → previous cluster (reused across
/// frames, cleared not freed) and amortised scratch vectors; track::atoms grows by a sorted
/// merge only when a track gains an atom it never held. Errors (tessera::error): timesteps not
/// increasing, an empty cluster, an atom id in two clusters of one frame, malformed offsets.

#include <tessera/cluster/components.hpp>
#include <tessera/core/error.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <unordered_map>
#include <vector>

namespace tessera {

enum class track_origin { birth, split };
enum class track_end { alive, death, merged };
/// What counts as a "new cluster" in cluster_tracker::new_per_frame.
enum class new_cluster_rule { births, births_and_splits };

struct cluster_track {
    static constexpr std::size_t none = std::numeric_limits<std::size_t>::max();
    std::size_t id = 0;           ///< index in cluster_tracker::tracks()
    std::size_t first_frame = 0;  ///< index of the add_frame call (0-based) where it starts
    std::size_t last_frame = 0;   ///< last frame where it exists
    std::int64_t first_timestep = 0, last_timestep = 0;
    std::size_t max_size = 0;
    std::vector<std::size_t> sizes;             ///< sizes[k]: size at frame first_frame + k
    std::vector<std::int64_t> atoms_at_birth;   ///< sorted ids
    std::vector<std::int64_t> atoms;            ///< sorted ids ever held (union over its life)
    track_origin origin = track_origin::birth;
    std::size_t parent = none;       ///< split: the track it split from
    track_end end = track_end::alive;
    std::size_t merged_into = none;  ///< merged: the track that continued
};

/// Counts of the events that produced frame t (for frame 0: births only).
struct frame_events {
    std::int64_t timestep = 0;
    std::size_t clusters = 0, births = 0, splits = 0, merges = 0, deaths = 0;
};

class cluster_tracker {
public:
    static constexpr std::size_t none = cluster_track::none;

    /// The next frame: cluster c holds the atom ids member_ids[offsets[c] .. offsets[c+1]),
    /// offsets.size() = clusters + 1, offsets.front() = 0, offsets.back() = member_ids.size().
    void add_frame(std::int64_t timestep, std::span<const std::size_t> offsets, std::span<const std::int64_t> member_ids);

    /// The next frame from find_clusters' result; ids[i] is the atom id of particle i.
    template <class T>
    void add_frame(std::int64_t timestep, const clusters<T>& c, std::span<const std::int64_t> ids) {
        offsets_in_.assign(1, 0);
        ids_in_.clear();
        for (std::size_t k = 0; k < c.count(); ++k) {
            for (auto i : c.members(k)) {
                if (i >= ids.size())
                    throw error("cluster_tracker::add_frame: particle ", i, " but only ", ids.size(), " atom ids");
                ids_in_.push_back(ids[i]);
            }
            offsets_in_.push_back(ids_in_.size());
        }
        add_frame(timestep, offsets_in_, ids_in_);
    }

    const std::vector<cluster_track>& tracks() const noexcept { return tracks_; }
    const std::vector<frame_events>& events() const noexcept { return events_; }
    /// Track of each cluster of the last frame added (in its cluster order).
    std::span<const std::size_t> current_tracks() const noexcept { return current_; }
    /// New clusters per frame: births (default), or births and split fragments.
    std::vector<std::size_t> new_per_frame(new_cluster_rule rule = new_cluster_rule::births) const {
        std::vector<std::size_t> out(events_.size());
        for (std::size_t t = 0; t < events_.size(); ++t)
            out[t] = events_[t].births + (rule == new_cluster_rule::births_and_splits ? events_[t].splits : 0);
        return out;
    }

private:
    struct link {
        std::size_t p, c, overlap;
    };
    std::vector<cluster_track> tracks_;
    std::vector<frame_events> events_;
    std::vector<std::size_t> current_;                       // track of each current cluster
    std::vector<std::size_t> prev_offsets_;
    std::unordered_map<std::int64_t, std::size_t> prev_of_;  // atom id → cluster of the last frame
    std::unordered_map<std::int64_t, std::size_t> next_of_;
    std::vector<link> links_;
    std::vector<std::size_t> count_, touched_, best_pred_, best_succ_, next_tracks_;
    std::vector<std::int64_t> low_, scratch_, gained_;
    std::vector<std::size_t> offsets_in_;
    std::vector<std::int64_t> ids_in_;

    std::size_t new_track(std::size_t fi, std::int64_t timestep, std::span<const std::int64_t> members,
                          track_origin origin, std::size_t parent);
    void extend(cluster_track& tr, std::span<const std::int64_t> members, std::int64_t timestep);
};

inline std::size_t cluster_tracker::new_track(std::size_t fi, std::int64_t timestep,
                                              std::span<const std::int64_t> members, track_origin origin,
                                              std::size_t parent) {
    cluster_track tr;
    tr.id = tracks_.size();
    tr.first_frame = tr.last_frame = fi;
    tr.first_timestep = tr.last_timestep = timestep;
    tr.max_size = members.size();
    tr.sizes.assign(1, members.size());
    tr.atoms_at_birth.assign(members.begin(), members.end());
    std::sort(tr.atoms_at_birth.begin(), tr.atoms_at_birth.end());
    tr.atoms = tr.atoms_at_birth;
    tr.origin = origin;
    tr.parent = parent;
    tracks_.push_back(std::move(tr));
    return tracks_.size() - 1;
}

inline void cluster_tracker::extend(cluster_track& tr, std::span<const std::int64_t> members, std::int64_t timestep) {
    ++tr.last_frame;
    tr.last_timestep = timestep;
    tr.sizes.push_back(members.size());
    tr.max_size = std::max(tr.max_size, members.size());
    gained_.clear();
    for (auto id : members)
        if (!std::binary_search(tr.atoms.begin(), tr.atoms.end(), id)) gained_.push_back(id);
    if (gained_.empty()) return;  // the usual case: a steady cluster costs O(m log |atoms|)
    std::sort(gained_.begin(), gained_.end());
    scratch_.clear();
    std::merge(tr.atoms.begin(), tr.atoms.end(), gained_.begin(), gained_.end(), std::back_inserter(scratch_));
    tr.atoms.swap(scratch_);
}

inline void cluster_tracker::add_frame(std::int64_t timestep, std::span<const std::size_t> offsets,
                                       std::span<const std::int64_t> member_ids) {
    const char* who = "cluster_tracker::add_frame";
    if (!events_.empty() && timestep <= events_.back().timestep)
        throw error(who, ": timestep ", timestep, " does not follow timestep ", events_.back().timestep);
    if (offsets.empty() || offsets.front() != 0 || offsets.back() != member_ids.size())
        throw error(who, ": offsets must start at 0 and end at the number of member ids (", member_ids.size(), ")");
    const std::size_t nc = offsets.size() - 1;
    next_of_.clear();
    for (std::size_t c = 0; c < nc; ++c) {
        if (offsets[c + 1] <= offsets[c])
            throw error(who, ": cluster ", c, " at timestep ", timestep, " is empty or has decreasing offsets");
        for (std::size_t k = offsets[c]; k < offsets[c + 1]; ++k)
            if (!next_of_.emplace(member_ids[k], c).second)
                throw error(who, ": atom id ", member_ids[k], " appears twice at timestep ", timestep,
                            " (clusters must be disjoint)");
    }
    auto members = [&](std::size_t c) { return member_ids.subspan(offsets[c], offsets[c + 1] - offsets[c]); };
    const std::size_t fi = events_.size();
    frame_events ev;
    ev.timestep = timestep;
    ev.clusters = nc;

    // Links (p, c, overlap): count each new cluster's atoms by previous cluster.
    const std::size_t np = prev_offsets_.empty() ? 0 : prev_offsets_.size() - 1;
    links_.clear();
    count_.assign(np, 0);
    for (std::size_t c = 0; c < nc; ++c) {
        touched_.clear();
        for (auto id : members(c)) {
            const auto it = prev_of_.find(id);
            if (it == prev_of_.end()) continue;
            if (count_[it->second]++ == 0) touched_.push_back(it->second);
        }
        for (auto p : touched_) {
            links_.push_back({p, c, count_[p]});
            count_[p] = 0;
        }
    }
    // Smallest atom id of each new cluster (the id-based tie break).
    low_.resize(nc);
    for (std::size_t c = 0; c < nc; ++c) low_[c] = *std::min_element(members(c).begin(), members(c).end());
    auto pred_better = [&](const link& a, const link& b) {  // a beats b as c's predecessor
        if (a.overlap != b.overlap) return a.overlap > b.overlap;
        const auto& ta = tracks_[current_[a.p]];
        const auto& tb = tracks_[current_[b.p]];
        if (ta.first_frame != tb.first_frame) return ta.first_frame < tb.first_frame;
        return ta.id < tb.id;
    };
    auto succ_better = [&](const link& a, const link& b) {  // a beats b as p's successor
        if (a.overlap != b.overlap) return a.overlap > b.overlap;
        const std::size_t sa = offsets[a.c + 1] - offsets[a.c], sb = offsets[b.c + 1] - offsets[b.c];
        if (sa != sb) return sa > sb;
        return low_[a.c] < low_[b.c];
    };
    best_pred_.assign(nc, none);  // index into links_
    best_succ_.assign(np, none);
    for (std::size_t l = 0; l < links_.size(); ++l) {
        const link& k = links_[l];
        if (best_pred_[k.c] == none || pred_better(k, links_[best_pred_[k.c]])) best_pred_[k.c] = l;
        if (best_succ_[k.p] == none || succ_better(k, links_[best_succ_[k.p]])) best_succ_[k.p] = l;
    }

    // Continuations first, then new tracks (births, splits), then ends of the others.
    next_tracks_.assign(nc, none);
    for (std::size_t c = 0; c < nc; ++c) {
        if (best_pred_[c] == none) continue;
        const std::size_t p = links_[best_pred_[c]].p;
        if (links_[best_succ_[p]].c != c) continue;
        next_tracks_[c] = current_[p];
        extend(tracks_[current_[p]], members(c), timestep);
    }
    touched_.clear();  // clusters starting a track, numbered in order of their smallest id
    for (std::size_t c = 0; c < nc; ++c)
        if (next_tracks_[c] == none) touched_.push_back(c);
    std::sort(touched_.begin(), touched_.end(), [&](std::size_t x, std::size_t y) { return low_[x] < low_[y]; });
    for (auto c : touched_) {
        const bool split = best_pred_[c] != none;
        next_tracks_[c] = new_track(fi, timestep, members(c), split ? track_origin::split : track_origin::birth,
                                    split ? current_[links_[best_pred_[c]].p] : none);
        ++(split ? ev.splits : ev.births);
    }
    for (std::size_t p = 0; p < np; ++p) {
        cluster_track& tr = tracks_[current_[p]];
        if (tr.last_frame == fi) continue;  // continued
        if (best_succ_[p] == none) {
            tr.end = track_end::death;
            ++ev.deaths;
        } else {
            tr.end = track_end::merged;
            tr.merged_into = next_tracks_[links_[best_succ_[p]].c];
            ++ev.merges;
        }
    }

    current_.swap(next_tracks_);
    prev_of_.swap(next_of_);
    prev_offsets_.assign(offsets.begin(), offsets.end());
    events_.push_back(ev);
}

/// Delay from each track of `a` to the next birth, in `b`, of a track sharing its atoms (see the
/// file comment). `b` == cluster_track::none when no such track exists.
struct event_delay {
    std::size_t a = cluster_track::none, b = cluster_track::none;
    std::int64_t delay = 0;
};

inline std::vector<event_delay> delays_to_next_event(std::span<const cluster_track> a, std::span<const cluster_track> b) {
    // (atom id, birth timestep, track) of every atom at birth in b, sorted: per atom, births in time order.
    struct entry {
        std::int64_t id, t;
        std::size_t track;
        bool operator<(const entry& o) const noexcept {
            return id != o.id ? id < o.id : (t != o.t ? t < o.t : track < o.track);
        }
    };
    std::vector<entry> births;
    for (const auto& y : b)
        for (auto id : y.atoms_at_birth) births.push_back({id, y.first_timestep, y.id});
    std::sort(births.begin(), births.end());
    std::vector<event_delay> out(a.size());
    for (std::size_t k = 0; k < a.size(); ++k) {
        const auto& x = a[k];
        out[k].a = x.id;
        entry best{0, std::numeric_limits<std::int64_t>::max(), cluster_track::none};
        for (auto id : x.atoms) {
            const auto it = std::lower_bound(births.begin(), births.end(), entry{id, x.first_timestep, 0});
            if (it == births.end() || it->id != id) continue;
            if (it->t < best.t || (it->t == best.t && it->track < best.track)) best = *it;
        }
        if (best.track != cluster_track::none) {
            out[k].b = best.track;
            out[k].delay = best.t - x.first_timestep;
        }
    }
    return out;
}

}  // namespace tessera
