// The many-object commands: -r (a listing or a local tree), --files-from, --manifest and `run`. Each turns its
// input into BatchItems for the Batch runner (ops/many/batch.h) on the shared client, then reports: one line per
// failed item as it happens, one summary line at the end (and with --stats json one JSON line per item and one for
// the summary), exit 11 when any item failed.
#include <sys/stat.h>
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
#include "cli/report.h"
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

namespace s3fcp {

namespace {

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
  s.skip_existing = o.skip_existing;
  if (auto check = object_headers(o, "", types.get()); !check) return fail(check.error());  // bad metadata, once
  s.headers_for = [o, types](const std::string& file_name) { return object_headers(o, file_name, types.get()); };
  return s;
}

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

// A download item from a listed or named key: its place beneath DIR, or why it has none.
BatchItem download_item(const S3Uri& object, const std::string& prefix, std::optional<uint64_t> size,
                        std::string etag, std::string version_id = {}) {
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

// --- producers: each adds its items to the batch and closes it --------------------------------------------------------

void list_and_add(Client& client, const Options& o, const KeyFilter& filter, Batch& batch, StopSignal& stop) {
  ListObjects::Callbacks callbacks;
  callbacks.page = [&](ListObjectsPage&& page) {
    for (auto& object : page.objects) {
      const KeyPath path = key_to_relative_path(object.key, o.remote.key);
      if (path.verdict == KeyPath::Verdict::FolderMarker) continue;  // an S3 console "folder": nothing to copy
      const std::string relative = path.verdict == KeyPath::Verdict::Ok ? path.path : object.key;
      if (!selected(o, filter, object.key, relative)) continue;
      batch.add_ready(download_item(S3Uri{o.remote.bucket, object.key}, o.remote.key, object.size, object.etag));
    }
  };
  callbacks.wants_more = [&] { return batch.has_room(); };
  auto listing = std::make_shared<ListObjects>(o.remote.bucket, o.remote.key, std::move(callbacks), stop);
  client.submit(listing);
  listing->wait();
}

// The entries a walk of `dir` left out, each said on stderr, even with -q, as aws-cli warns of each: a folder of
// symlinks (a Hugging Face snapshot) would otherwise upload nothing without a word. What could not be read is a
// failed item (`item` makes it), for the copy is not whole. False once the batch stopped taking items.
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

// The options of a many-object copy that a run line's own parse (one object) would refuse: taken out of the words
// before it. --no-clobber and --skip-existing shape each copy (given to run or on a line); the others are the run's.
struct BatchFlags {
  bool no_clobber = false, skip_existing = false;
  bool raw = false, flatten = false;  // s5cmd's: '*' and '?' taken literally; a wildcard's copies named by the key's
                                      // last part only
  std::vector<std::string> run_only;  // found and not for a line: --dry-run, --shard, --include, --exclude
};

std::vector<std::string> without_batch_flags(const std::vector<std::string>& words, BatchFlags& flags) {
  static constexpr std::string_view kWithValue[] = {"--shard", "--include", "--exclude"};
  std::vector<std::string> out;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string_view word = words[i];
    const std::string_view name = word.substr(0, word.find('='));
    if (word == "--no-clobber") {
      flags.no_clobber = true;
    } else if (word == "--skip-existing") {
      flags.skip_existing = true;
    } else if (word == "--raw") {
      flags.raw = true;
    } else if (word == "--flatten") {
      flags.flatten = true;
    } else if (word == "--dry-run") {
      flags.run_only.emplace_back(word);
    } else if (std::ranges::find(kWithValue, name) != std::end(kWithValue)) {
      flags.run_only.emplace_back(name);
      if (name == word) ++i;  // "--shard K/N": the value is the next word
    } else {
      out.push_back(words[i]);
    }
  }
  return out;
}

// Options given to run that concern one direction only (check_direction_options refuses them for the other): a
// line of the other direction is parsed without them. {name, takes a value, the direction it concerns}.
struct DirectionalOption {
  std::string_view name;
  bool value;
  Options::Direction direction;
};
constexpr DirectionalOption kDirectional[] = {
    {"--content-type", true, Options::Direction::Upload},  {"--cache-control", true, Options::Direction::Upload},
    {"--content-encoding", true, Options::Direction::Upload}, {"--metadata", true, Options::Direction::Upload},
    {"--tagging", true, Options::Direction::Upload},       {"--storage-class", true, Options::Direction::Upload},
    {"--acl", true, Options::Direction::Upload},           {"--sse", true, Options::Direction::Upload},
    {"--sse-kms-key-id", true, Options::Direction::Upload}, {"--expected-size", true, Options::Direction::Upload},
    {"--follow-symlinks", false, Options::Direction::Upload}, {"--no-follow-symlinks", false, Options::Direction::Upload},
    {"--window", true, Options::Direction::Download},      {"--no-hedge", false, Options::Direction::Download}};

std::vector<std::string> for_direction(const std::vector<std::string>& words, Options::Direction direction) {
  std::vector<std::string> out;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string_view word = words[i];
    const std::string_view name = word.substr(0, word.find('='));
    const auto* o = std::ranges::find(kDirectional, name, &DirectionalOption::name);
    if (o == std::end(kDirectional) || o->direction == direction) {
      out.push_back(words[i]);
    } else if (o->value && name == word) {
      ++i;  // and its value, the next word
    }
  }
  return out;
}

// A run line's wildcard SOURCE, as s5cmd reads it: '*' any run of characters ('/' included), '?' one character,
// anything else (a '[' too) itself. The copies are named by the source's path from the last '/' before the first
// wildcard (by its last part only with --flatten), beneath DEST, a directory or a prefix.
struct RunWildcard {
  enum class Side { None, Remote, Local };
  Side side = Side::None;
  std::string pattern;  // the key (Remote) or the local path (Local), wildcards and all
  std::string dest;     // DEST's directory (Remote) or s3:// prefix, as a key (Local)
  std::string bucket;
  bool flatten = false;
  bool follow_symlinks = false;
};

bool has_wildcard(std::string_view s) { return s.find_first_of("*?") != std::string_view::npos; }

// The fnmatch(3) pattern (FNM_NOESCAPE, glob_matches) of a run line's wildcard: its '[' written as "[[]".
std::string wildcard_glob(std::string_view pattern) {
  std::string out;
  for (const char c : pattern) {
    if (c == '[') out += "[[]";
    else out += c;
  }
  return out;
}

// A run file's line: `cp [options] SOURCE DEST`, parsed with the run's own options first. A SOURCE with wildcards
// (no --raw) fills `wildcard`, for the caller to expand.
BatchItem run_item(const Options& run, const BatchLine& line, const HeaderList& run_sse_c,
                   const std::shared_ptr<const MimeTypes>& types, RunWildcard& wildcard) {
  BatchItem item;
  item.line = line.line;
  for (size_t i = 1; i < line.words.size(); ++i) item.label += (i > 1 ? " " : "") + line.words[i];
  const auto refuse = [&](std::string why) {
    item.refused = std::move(why);
    return item;
  };
  // What the whole run shares (one client, which objects, whether to copy at all) is the run's to say, not a line's.
  static constexpr std::string_view kRunWide[] = {
      "--endpoint-url", "--region", "--profile", "--no-sign-request", "-c", "--concurrency", "--request-payer",
      "--max-attempts", "--connect-timeout", "--read-timeout", "--addressing-style", "--use-dualstack-endpoint",
      "--use-fips-endpoint", "-r", "--recursive", "--files-from", "--manifest", "--stats", "-q", "--quiet", "-v"};
  for (size_t i = 1; i < line.words.size(); ++i) {
    const std::string_view word = line.words[i];
    const std::string_view name = word.substr(0, word.find('='));
    if (std::ranges::find(kRunWide, name) != std::end(kRunWide)) {
      return refuse(fmt::format("{} applies to the whole run: give it to s3fcp run", name));
    }
  }
  BatchFlags flags;
  std::vector<std::string> args{"s3fcp"};
  // Its direction, as classify_operands will find it: to S3 when DEST is s3://.
  const bool upload = line.words.size() > 1 && line.words.back().starts_with("s3://");
  const std::vector<std::string> run_words = for_direction(
      without_batch_flags(run.run_words, flags), upload ? Options::Direction::Upload : Options::Direction::Download);
  args.insert(args.end(), run_words.begin(), run_words.end());
  flags.run_only.clear();  // the run's own --dry-run and --shard are applied to the whole run
  const std::vector<std::string> line_words =
      without_batch_flags(std::vector<std::string>(line.words.begin() + 1, line.words.end()), flags);
  if (!flags.run_only.empty()) {
    return refuse(fmt::format("{} applies to the whole run: give it to s3fcp run", flags.run_only.front()));
  }
  args.insert(args.end(), line_words.begin(), line_words.end());
  // Many files to S3 (a wildcard, or a directory): the line is parsed as the upload of one file named "many" to
  // DEST as a prefix, for its options; the files are found by the caller.
  std::string many_files;
  if (upload && line_words.size() >= 2) {
    const std::string& source = line_words[line_words.size() - 2];
    struct stat st {};
    if ((!flags.raw && has_wildcard(source)) || (::stat(source.c_str(), &st) == 0 && S_ISDIR(st.st_mode))) {
      many_files = source;
      args[args.size() - 2] = "many";
      if (args.back().find('/', 5) == std::string::npos) args.back() += '/';  // s3://bucket: its top
    }
  }
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  auto parsed = parse_command_line(static_cast<int>(argv.size()), argv.data());
  if (!parsed) return refuse(parsed.error().message);
  const Options& o = parsed->options;
  if (parsed->action != ParsedCommandLine::Action::Run || o.mode != Options::Mode::Single) {
    return refuse("a run line copies one object: cp [options] SOURCE DEST");
  }
  auto settings = item_settings(o, o.sse_c_key == run.sse_c_key ? run_sse_c : sse_c_headers(o.sse_c_key), types);
  if (!settings) return refuse(settings.error().message);
  settings->no_clobber = flags.no_clobber;
  settings->skip_existing = flags.skip_existing;
  item.settings = std::make_shared<const ItemSettings>(std::move(*settings));
  wildcard.flatten = flags.flatten;
  wildcard.follow_symlinks = o.follow_symlinks;
  if (o.direction == Options::Direction::Upload) {
    if (o.local_source == "-") return refuse("a run line cannot read stdin");
    if (!many_files.empty()) {
      const std::string& to = line_words.back();
      const auto key_start = to.find('/', 5);
      if (key_start != std::string::npos && !to.ends_with('/')) {
        return refuse(fmt::format("{} names many files: DEST must be s3://bucket/ or a prefix ending in '/'",
                                  many_files));
      }
      wildcard.side = RunWildcard::Side::Local;
      wildcard.pattern = many_files;  // a directory: all of its files (expand_local)
      wildcard.bucket = o.upload_to.bucket;
      wildcard.dest = key_start == std::string::npos ? std::string() : to.substr(key_start + 1);
      item.kind = BatchItem::Kind::Upload;
      item.local_path = many_files;
      return item;
    }
    item.kind = BatchItem::Kind::Upload;
    item.local_path = o.local_source;
    item.dest = o.upload_to;
    return item;
  }
  if (!o.source_url.empty()) return refuse("a run line copies s3:// objects");
  if (o.destination == "-") return refuse("a run line cannot write to stdout");
  item.kind = BatchItem::Kind::Download;
  item.object = o.source;
  item.version_id = o.version_id;
  if (!flags.raw && has_wildcard(o.source.key)) {
    if (!o.version_id.empty()) return refuse("--version-id names one object, not a wildcard's");
    wildcard.side = RunWildcard::Side::Remote;
    wildcard.pattern = o.source.key;
    wildcard.bucket = o.source.bucket;
    wildcard.dest = o.destination;
    return item;
  }
  item.local_path = o.destination;
  if (item.local_path.ends_with('/')) {
    const auto slash = o.source.key.rfind('/');
    item.local_path += slash == std::string::npos ? o.source.key : o.source.key.substr(slash + 1);
  }
  return item;
}

// Line `number` (from 1) of `text`, without its LF and trimmed: what a message shows for a line with no words.
std::string raw_line(std::string_view text, size_t number) {
  for (size_t i = 1; i < number && !text.empty(); ++i) {
    const size_t lf = text.find('\n');
    text.remove_prefix(lf == std::string_view::npos ? text.size() : lf + 1);
  }
  return std::string(trim(text.substr(0, text.find('\n'))));
}

// The last part of a '/'-separated name.
std::string last_part(std::string_view name) {
  const auto slash = name.rfind('/');
  return std::string(slash == std::string_view::npos ? name : name.substr(slash + 1));
}

// A run line that copies nothing: one failed item, named by the line.
void line_failed(Batch& batch, BatchItem line_item, std::string why) {
  line_item.refused = std::move(why);
  line_item.local_path.clear();
  batch.add(std::move(line_item));
}

// The objects of a run line's S3 wildcard: listed below the part before the first wildcard, each matching key an
// item of the line's settings, beneath DEST. A line whose listing fails or matches nothing fails (s5cmd: "no object
// found"); a stopped run stops its listing.
void expand_remote(Client& client, const Options& o, const RunWildcard& w, const BatchItem& line_item, Batch& batch,
                   StopSignal& stop) {
  const std::string prefix = w.pattern.substr(0, w.pattern.find_first_of("*?"));
  const auto cut = prefix.rfind('/');
  const size_t name_start = cut == std::string::npos ? 0 : cut + 1;
  const std::string glob = wildcard_glob(w.pattern);
  auto line_stop = std::make_shared<StopSignal>();
  stop.add_waker([line_stop, &client] {
    line_stop->fail(Error{ErrorKind::Other, "the run stopped"});
    client.wakeup();
  });
  uint64_t matched = 0;
  ListObjects::Callbacks callbacks;
  callbacks.page = [&](ListObjectsPage&& page) {
    for (auto& object : page.objects) {
      if (object.key.ends_with('/') || !glob_matches(glob, object.key)) continue;  // a folder marker, or no match
      ++matched;
      if (o.shard && !in_shard(object.key, *o.shard)) continue;
      BatchItem item = line_item;
      item.label.clear();  // named by its object, with the line's number
      item.object = S3Uri{w.bucket, object.key};
      item.size = object.size;
      item.etag = object.etag;
      const std::string relative = w.flatten ? last_part(object.key) : object.key.substr(name_start);
      if (auto why = unsafe_path_reason(relative)) {
        item.refused = fmt::format("refused: {} (it would not stay inside the directory)", *why);
      } else {
        item.local_dir = w.dest;
        item.relative = relative;
      }
      batch.add_ready(std::move(item));
    }
  };
  callbacks.wants_more = [&] { return batch.has_room(); };
  auto listing = std::make_shared<ListObjects>(w.bucket, prefix, std::move(callbacks), *line_stop);
  client.submit(listing);
  listing->wait();
  if (stop.stopping()) return;
  if (auto error = line_stop->error()) return line_failed(batch, line_item, error->message);
  if (matched == 0) line_failed(batch, line_item, "no object matches s3://" + w.bucket + "/" + w.pattern);
}

// The files of a run line's local wildcard or directory, each an item of the line's settings, keyed below DEST's
// prefix by their path from the last '/' before the first wildcard (a directory `dir/`: below it; `dir`: from dir).
void expand_local(const Options& o, const RunWildcard& w, const BatchItem& line_item, Batch& batch) {
  const std::string& p = w.pattern;
  const size_t wild = p.find_first_of("*?");
  std::string walk_dir, name_prefix;
  if (wild == std::string::npos) {
    walk_dir = p;
    if (!p.ends_with('/')) name_prefix = last_part(p) + "/";
  } else {
    const auto cut = p.rfind('/', wild);
    walk_dir = cut == std::string::npos ? std::string() : p.substr(0, cut + 1);
  }
  auto listing = list_regular_files(walk_dir.empty() ? "." : walk_dir,
                                    w.follow_symlinks ? Beneath::Symlinks::Follow : Beneath::Symlinks::Refuse);
  if (!listing) return line_failed(batch, line_item, listing.error().message);
  const bool added = add_skipped(walk_dir.empty() ? "." : walk_dir, *listing, batch, [&](const SkippedEntry& skipped) {
    BatchItem item = line_item;
    item.label.clear();
    item.local_path = shown_beneath(walk_dir.empty() ? "." : walk_dir, skipped.path);
    return item;
  });
  if (!added) return;
  const std::string glob = wildcard_glob(p);
  uint64_t matched = 0;
  for (const auto& file : listing->files) {
    if (wild != std::string::npos && !glob_matches(glob, walk_dir + file.path)) continue;
    ++matched;
    BatchItem item = line_item;
    item.label.clear();
    item.local_path = shown_beneath(walk_dir.empty() ? "." : walk_dir, file.path);
    item.dest = S3Uri{w.bucket, w.dest + (w.flatten ? last_part(file.path) : name_prefix + file.path)};
    if (auto why = invalid_key_reason(item.dest.key)) item.refused = "refused: " + *why;
    if (o.shard && !in_shard(item.dest.key, *o.shard)) continue;
    if (!batch.add(std::move(item))) return;
  }
  if (matched == 0) line_failed(batch, line_item, "no file matches " + p);
}

void run_file_and_add(Client& client, const Options& o, const HeaderList& sse_c, Batch& batch, StopSignal& stop) {
  auto text = read_list_file(o.list_file);
  if (!text) return stop.fail(text.error());
  const auto types = std::make_shared<const MimeTypes>(MimeTypes::load());
  for (const BatchLine& line : parse_batch_file(*text)) {
    BatchItem item;
    if (line.error.empty()) {
      RunWildcard wildcard;
      item = run_item(o, line, sse_c, types, wildcard);
      if (item.refused.empty() && wildcard.side != RunWildcard::Side::None) {
        if (wildcard.side == RunWildcard::Side::Remote) expand_remote(client, o, wildcard, item, batch, stop);
        else expand_local(o, wildcard, item, batch);
        if (stop.stopping()) return;
        continue;
      }
    } else {
      item.line = line.line;
      item.refused = line.error;
      for (const auto& word : line.words) item.label += (item.label.empty() ? "" : " ") + word;
      if (item.label.empty()) item.label = raw_line(*text, line.line);  // bad quoting: no words
    }
    // --shard splits the copies by their object's key; a line that cannot run is reported by every shard.
    if (o.shard && item.refused.empty()) {
      const std::string& key = item.kind == BatchItem::Kind::Download ? item.object.key : item.dest.key;
      if (!in_shard(key, *o.shard)) continue;
    }
    if (!batch.add(std::move(item))) return;
  }
}

std::string dest_display(const Options& o) {
  if (o.mode == Options::Mode::Run) return "run " + o.list_file;
  if (o.mode == Options::Mode::Manifest) return "--manifest " + o.list_file;
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
        if (o.direction == Options::Direction::Download) list_and_add(client, o, *filter, batch, stop);
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
