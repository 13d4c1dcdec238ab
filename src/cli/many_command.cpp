// The many-object commands: -r (a listing or a local tree), --files-from, --manifest and `run` (whose lines
// cli/run_file.cpp reads). Each turns its input into BatchItems for the Batch runner (ops/many/batch.h) on the shared
// client, then reports: one line per failed item as it happens, one summary line at the end (and with --stats json
// one JSON line per item and one for the summary), exit 11 when any item failed.
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "batch/batch_file.h"
#include "batch/key_filter.h"
#include "batch/manifest.h"
#include "batch/shard.h"
#include "cli/commands.h"
#include "cli/many_items.h"
#include "cli/report.h"
#include "cli/run_file.h"
#include "cli/supervise.h"
#include "cli/upload_spec.h"
#include "io/beneath.h"
#include "io/progress_bar.h"
#include "ops/list/list_objects.h"
#include "ops/many/batch.h"
#include "ops/put/upload.h"
#include "s3/s3_uri.h"
#include "util/log.h"
#include "util/strings.h"
#include "util/timestamp.h"

namespace s3fcp {

Result<std::string> read_list_file(const std::string& path) {
  if (path == "-") return std::string(std::istreambuf_iterator<char>(std::cin.rdbuf()), {});
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(Error::usage(fmt::format("cannot read {}", path)));
  return std::string(std::istreambuf_iterator<char>(in), {});
}

Result<ItemSettings> item_settings(const Options& o, const HeaderList& sse_c, std::shared_ptr<const MimeTypes> types) {
  ItemSettings s;
  s.get.chunk_size = o.chunk_size.value_or(s.get.chunk_size);
  s.get.concurrency = o.concurrency;
  s.get.hedge = o.hedge;
  s.get.checksum = o.checksum;
  s.get.object_headers = sse_c;
  s.put.sse_c = sse_c;
  s.put.checksum = upload_checksum(o.checksum);
  s.part_size = o.chunk_size.value_or(s.part_size);
  s.no_clobber = o.no_clobber;
  s.skip = {o.skip_existing, o.if_source_newer};
  if (auto check = object_headers(o, "", types.get()); !check) return fail(check.error());  // bad metadata, once
  auto copy = copy_spec(o);
  if (!copy) return fail(copy.error());
  s.copy = std::move(*copy);
  s.headers_for = [o, types](const std::string& file_name) { return object_headers(o, file_name, types.get()); };
  return s;
}

BatchItem download_item(const S3Uri& object, const std::string& prefix, std::optional<uint64_t> size,
                        std::string etag, std::string version_id) {
  BatchItem item;
  item.kind = BatchItem::Kind::Download;
  item.object = object;
  item.size = size;
  item.etag = std::move(etag);
  item.version_id = std::move(version_id);
  const KeyPath path = key_to_relative_path(object.key, prefix);
  if (path.verdict == KeyPath::Verdict::Unsafe) {
    item.refused = fmt::format("refused: {} (it would not stay inside the directory)", path.reason);
  } else {
    item.relative = path.path;
  }
  return item;
}

BatchItem download_item(const S3Uri& object, const std::string& prefix, const ListedObject& listed) {
  BatchItem item = download_item(object, prefix, listed.size, listed.etag);
  if (auto t = parse_iso8601(listed.last_modified)) item.last_modified = *t;
  return item;
}

bool add_skipped(const std::string& dir, const LocalListing& listing, Batch& batch,
                 const std::function<BatchItem(const SkippedEntry&)>& item) {
  for (const auto& skipped : listing.skipped) {
    if (!skipped.unreadable) {
      log_line(fmt::format("{}: skipped: {}", shown_beneath(dir, skipped.path), skipped.reason));
      continue;
    }
    BatchItem failed = item(skipped);
    failed.refused = skipped.reason;
    if (!batch.add(std::move(failed))) return false;
  }
  return true;
}

void list_into(Client& client, const std::string& bucket, const std::string& prefix, Batch& batch, StopSignal& stop,
               const std::function<void(const ListedObject&)>& take) {
  ListObjects::Callbacks callbacks;
  callbacks.page = [&](ListObjectsPage&& page) {
    for (const auto& object : page.objects) take(object);
  };
  callbacks.wants_more = [&] { return batch.has_room(); };
  auto listing = std::make_shared<ListObjects>(bucket, prefix, std::move(callbacks), stop);
  client.submit(listing);
  listing->wait();
}

namespace {

// Does the copy of `relative` (the name below the prefix or DIR; object `key`) belong to this run? Shards split by
// batch/shard.h's contract: the full key of an object copied from S3, the relative path of a file copied to it.
bool selected(const Options& o, const KeyFilter& filter, const std::string& key, const std::string& relative) {
  if (!filter.selects(relative)) return false;
  if (!o.shard) return true;
  return in_shard(o.direction == Options::Direction::Upload ? relative : key, *o.shard);
}

std::string join_key(const std::string& prefix, const std::string& name) {
  if (prefix.empty() || prefix.ends_with('/')) return prefix + name;
  return prefix + "/" + name;
}

// A key ending in '/': an S3 console "folder", nothing to copy, skipped without a word (also when named in a list).
bool is_folder_marker(const std::string& key, const std::string& prefix) {
  return key_to_relative_path(key, prefix).verdict == KeyPath::Verdict::FolderMarker;
}

// --- producers: each adds its items to the batch and closes it --------------------------------------------------------

void list_and_add(Client& client, const Options& o, const KeyFilter& filter, Batch& batch, StopSignal& stop) {
  list_into(client, o.remote.bucket, o.remote.key, batch, stop, [&](const ListedObject& object) {
    const KeyPath path = key_to_relative_path(object.key, o.remote.key);
    if (path.verdict == KeyPath::Verdict::FolderMarker) return;  // an S3 console "folder": nothing to copy
    const std::string relative = path.verdict == KeyPath::Verdict::Ok ? path.path : object.key;
    if (!selected(o, filter, object.key, relative)) return;
    if (o.direction == Options::Direction::Copy) {  // the same name below the destination's prefix
      BatchItem item;
      item.kind = BatchItem::Kind::Copy;
      item.object = S3Uri{o.remote.bucket, object.key};
      item.size = object.size;
      item.dest = S3Uri{o.copy_to.bucket, o.copy_to.key + object.key.substr(o.remote.key.size())};
      if (auto why = invalid_key_reason(item.dest.key)) item.refused = "refused: " + *why;
      return batch.add_ready(std::move(item));
    }
    batch.add_ready(download_item(S3Uri{o.remote.bucket, object.key}, o.remote.key, object));
  });
}

void walk_and_add(const Options& o, const KeyFilter& filter, Batch& batch, StopSignal& stop) {
  auto listing =
      list_regular_files(o.local_dir, o.follow_symlinks ? Beneath::Symlinks::Follow : Beneath::Symlinks::Refuse);
  if (!listing) return stop.fail(listing.error());
  const bool added = add_skipped(o.local_dir, *listing, batch, [&](const SkippedEntry& skipped) {
    BatchItem item;
    item.kind = BatchItem::Kind::Upload;
    item.relative = skipped.path;
    item.dest = S3Uri{o.remote.bucket, join_key(o.remote.key, skipped.path)};
    return item;
  });
  if (!added) return;
  for (const auto& file : listing->files) {
    const std::string key = join_key(o.remote.key, file.path);
    if (!selected(o, filter, key, file.path)) continue;
    BatchItem item;
    item.kind = BatchItem::Kind::Upload;
    item.relative = file.path;
    item.dest = S3Uri{o.remote.bucket, key};
    if (auto why = invalid_key_reason(key)) item.refused = "refused: " + *why;
    if (!batch.add(std::move(item))) return;
  }
}

void files_from_and_add(const Options& o, const KeyFilter& filter, Batch& batch, StopSignal& stop) {
  auto text = read_list_file(o.list_file);
  if (!text) return stop.fail(text.error());
  for (const ListedName& name : parse_files_from(*text)) {
    BatchItem item;
    item.line = name.line;
    if (o.direction == Options::Direction::Download) {
      const std::string key = join_key(o.remote.key, name.name);
      if (is_folder_marker(key, o.remote.key) || !selected(o, filter, key, name.name)) continue;
      item = download_item(S3Uri{o.remote.bucket, key}, o.remote.key, std::nullopt, "");
      item.line = name.line;
    } else {
      const std::string key = join_key(o.remote.key, name.name);
      if (!selected(o, filter, key, name.name)) continue;
      item.kind = BatchItem::Kind::Upload;
      item.relative = name.name;
      item.dest = S3Uri{o.remote.bucket, key};
      if (auto why = unsafe_path_reason(name.name)) {
        item.refused = "refused: " + *why;
      } else if (auto bad_key = invalid_key_reason(key)) {
        item.refused = "refused: " + *bad_key;
      }
    }
    if (!batch.add(std::move(item))) return;
  }
}

void manifest_and_add(const Options& o, const KeyFilter& filter, Batch& batch, StopSignal& stop) {
  auto text = read_list_file(o.list_file);
  if (!text) return stop.fail(text.error());
  auto entries = parse_manifest(*text);
  if (!entries) return stop.fail(entries.error());
  for (const ManifestEntry& e : *entries) {
    if (is_folder_marker(e.key, "") || !selected(o, filter, e.key, e.key)) continue;
    BatchItem item = download_item(S3Uri{e.bucket, e.key}, "", std::nullopt, "", e.version_id.value_or(""));
    item.line = e.line;
    if (!batch.add(std::move(item))) return;
  }
}

std::string dest_display(const Options& o) {
  if (o.mode == Options::Mode::Run) return "run " + o.list_file;
  if (o.mode == Options::Mode::Manifest) return "--manifest " + o.list_file;
  if (o.direction == Options::Direction::Copy) return o.remote.str() + " -> " + o.copy_to.str();
  return o.direction == Options::Direction::Download ? o.remote.str() : o.local_dir;
}

}  // namespace

int run_many(const Options& o, const Resolved& resolved, Client& client) {
  const std::string context = dest_display(o);
  if (o.mode == Options::Mode::Run && (!o.include.empty() || !o.exclude.empty())) {
    return report(Error::usage("--include and --exclude select names below a prefix: not for run"), context);
  }
  auto filter = KeyFilter::create(o.include, o.exclude);
  if (!filter) return report(filter.error(), context);
  const auto types = std::make_shared<const MimeTypes>(MimeTypes::load());
  auto settings = item_settings(o, resolved.sse_c, types);
  if (!settings) return report(settings.error(), context);

  Batch::Settings bs;
  bs.item = std::make_shared<const ItemSettings>(std::move(*settings));
  bs.dir = o.mode == Options::Mode::Run ? std::string() : o.local_dir;
  bs.dir_must_exist = o.direction == Options::Direction::Upload;
  bs.follow_symlinks = o.follow_symlinks;
  bs.items_in_flight = std::max<uint32_t>(8, 2 * o.concurrency);
  bs.whole_get_max = whole_get_limit(bs.item->get.chunk_size);
  bs.dry_run = o.dry_run;
  bs.stats_json = o.stats_json;
  bs.quiet = o.quiet;
  Batch batch(client, std::move(bs));

  StopSignal stop;
  stop.add_waker([&] { client.wakeup(); });
  const auto produce = [&] {
    switch (o.mode) {
      case Options::Mode::Recursive:
        if (o.direction != Options::Direction::Upload) list_and_add(client, o, *filter, batch, stop);
        else walk_and_add(o, *filter, batch, stop);
        break;
      case Options::Mode::FilesFrom: files_from_and_add(o, *filter, batch, stop); break;
      case Options::Mode::Manifest: manifest_and_add(o, *filter, batch, stop); break;
      case Options::Mode::Run: run_file_and_add(client, o, resolved.sse_c, batch, stop); break;
      case Options::Mode::Single: break;
    }
    batch.close();
  };
  Workers workers;
  workers.threads = {produce, [&] { batch.run(stop); }};
  workers.done_bytes = [&] { return batch.bytes(); };
  workers.total_bytes = [] { return UINT64_MAX; };
  workers.status = [&] { return fmt::format("{}/{} objects", batch.done_items(), batch.added_items()); };
  workers.stop = &stop;
  if (auto ran = supervise(progress_mode(o), workers); !ran) return report(ran.error(), context);

  const BatchTotals t = batch.totals();
  std::optional<Error> error = stop.error();
  if (!error && t.failed > 0) {
    error = Error{ErrorKind::Partial, fmt::format("{} of {} objects failed", t.failed, t.copied + t.skipped + t.failed)};
  }
  const int code = error ? exit_code(error->kind) : 0;
  if (error && error->kind != ErrorKind::Partial) report(*error, context);
  std::vector<double> latencies = t.latencies;
  std::sort(latencies.begin(), latencies.end());
  const auto percentile = [&](double p) {
    return latencies.empty() ? 0.0 : latencies[std::min(latencies.size() - 1, static_cast<size_t>(p * static_cast<double>(latencies.size())))];
  };
  double mean = 0;
  for (double l : latencies) mean += l;
  if (!latencies.empty()) mean /= static_cast<double>(latencies.size());
  // A run that failed as a whole before any item (a bad manifest, a missing bucket) has said all in its one line.
  const bool nothing_done = t.copied + t.skipped + t.failed == 0;
  if (!o.quiet && !(error && error->kind != ErrorKind::Partial && nothing_done)) {
    log_line(fmt::format("{}{} copied, {} skipped, {} failed, {} in {:.2f} s ({:.1f} MB/s, {:.0f} objects/s)",
                         o.dry_run ? "dry run: " : "", t.copied, t.skipped, t.failed,
                         human_bytes(static_cast<double>(t.bytes)), t.seconds,
                         static_cast<double>(t.bytes) / std::max(t.seconds, 1e-9) / 1e6,
                         static_cast<double>(t.copied) / std::max(t.seconds, 1e-9)));
  }
  if (o.stats_json) {
    nlohmann::json j = {{"summary", true},
                        {"copied", t.copied},
                        {"skipped", t.skipped},
                        {"failed", t.failed},
                        {"bytes", t.bytes},
                        {"seconds", t.seconds},
                        {"mb_per_s", static_cast<double>(t.bytes) / std::max(t.seconds, 1e-9) / 1e6},
                        {"objects_per_s", static_cast<double>(t.copied) / std::max(t.seconds, 1e-9)},
                        {"latency_mean_s", mean},
                        {"latency_p50_s", percentile(0.50)},
                        {"latency_p99_s", percentile(0.99)},
                        {"connections", client.stats().connections},
                        {"requests", client.stats().requests}};
    print_json_line(std::move(j), code, error ? &*error : nullptr);
  }
  return code;
}

}  // namespace s3fcp
