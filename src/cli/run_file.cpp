// s3fcp run: each line of a run file parsed as the command line of one copy (with the run's own options first),
// and s5cmd's wildcards expanded into the copies they name (cli/run_file.h).
#include "cli/run_file.h"

#include <sys/stat.h>

#include <algorithm>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "batch/batch_file.h"
#include "batch/key_filter.h"
#include "batch/shard.h"
#include "cli/many_items.h"
#include "cli/settings.h"
#include "io/beneath.h"
#include "util/log.h"
#include "util/strings.h"

namespace s3fcp {

namespace {

// The options of a many-object copy that a run line's own parse (one object) would refuse: taken out of the words
// before it. --no-clobber and --skip-existing shape each copy (given to run or on a line); the others are the run's.
struct BatchFlags {
  bool no_clobber = false, skip_existing = false, if_source_newer = false;
  bool raw = false, flatten = false;  // s5cmd's: '*' and '?' taken literally; a wildcard's copies named by the key's
                                      // last part only
  std::vector<std::string> run_only;  // found and not for a line: --dry-run, --shard, --include, --exclude
};

// `line`: the words of a run line, where s5cmd's short forms of its cp flags mean what they mean there (-n
// --no-clobber, -s --if-size-differ, -u --if-source-newer, -f --flatten; s3fcp's own -f is --force, which a
// many-object copy refuses).
std::vector<std::string> without_batch_flags(const std::vector<std::string>& words, BatchFlags& flags, bool line) {
  static constexpr std::string_view kWithValue[] = {"--shard", "--include", "--exclude"};
  std::vector<std::string> out;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string_view word = words[i];
    const std::string_view name = word.substr(0, word.find('='));
    if (word == "--no-clobber" || (line && word == "-n")) {
      flags.no_clobber = true;
    } else if (word == "--skip-existing" || (line && (word == "-s" || word == "--if-size-differ"))) {
      // s5cmd's --if-size-differ skips on the size alone; here the MD5 too where the ETag is one: a stricter skip.
      flags.skip_existing = true;
    } else if (word == "--if-source-newer" || (line && word == "-u")) {
      flags.if_source_newer = true;
    } else if (word == "--raw") {
      flags.raw = true;
    } else if (word == "--flatten" || (line && word == "-f")) {
      flags.flatten = true;
    } else if (word == "--dry-run" || word == "--dryrun") {
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
    {"--content-disposition", true, Options::Direction::Upload},
    {"--content-language", true, Options::Direction::Upload}, {"--expires", true, Options::Direction::Upload},
    {"--website-redirect", true, Options::Direction::Upload},
    {"--no-guess-mime-type", false, Options::Direction::Upload},
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

// The last part of a '/'-separated name.
std::string last_part(std::string_view name) {
  const auto slash = name.rfind('/');
  return std::string(slash == std::string_view::npos ? name : name.substr(slash + 1));
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
      "--use-fips-endpoint", "--ca-bundle", "--no-verify-ssl", "-r", "--recursive", "--files-from", "--manifest",
      "--stats", "-q", "--quiet", "--only-show-errors", "--no-progress", "-v"};
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
  const std::vector<std::string> run_words =
      for_direction(without_batch_flags(run.run_words, flags, false),
                    upload ? Options::Direction::Upload : Options::Direction::Download);
  args.insert(args.end(), run_words.begin(), run_words.end());
  flags.run_only.clear();  // the run's own --dry-run and --shard are applied to the whole run
  const std::vector<std::string> line_words =
      without_batch_flags(std::vector<std::string>(line.words.begin() + 1, line.words.end()), flags, true);
  if (!flags.run_only.empty()) {
    return refuse(fmt::format("{} applies to the whole run: give it to s3fcp run", flags.run_only.front()));
  }
  args.insert(args.end(), line_words.begin(), line_words.end());
  // Many files to S3 (a wildcard, or a directory): the line is parsed as the upload of one file named "many" to
  // DEST as a prefix, for its options; the files are found by the caller.
  std::string many_files;
  if (upload && line_words.size() >= 2 && !line_words[line_words.size() - 2].starts_with("s3://")) {
    const std::string& source = line_words[line_words.size() - 2];
    struct stat st {};
    if ((!flags.raw && has_wildcard(source)) || (::stat(source.c_str(), &st) == 0 && S_ISDIR(st.st_mode))) {
      many_files = source;
      args[args.size() - 2] = "many";
      // s3://bucket (or an access point's ARN) alone: its top.
      if (auto to = parse_s3_prefix(args.back()); to && to->key.empty() && !args.back().ends_with('/')) {
        args.back() += '/';
      }
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
  settings->skip = {flags.skip_existing, flags.if_source_newer};
  item.settings = std::make_shared<const ItemSettings>(std::move(*settings));
  wildcard.flatten = flags.flatten;
  wildcard.follow_symlinks = o.follow_symlinks;
  if (o.direction == Options::Direction::Copy) {
    if (!flags.raw && (has_wildcard(o.source.key) || has_wildcard(o.upload_to.key))) {
      return refuse("a copy between buckets names one object: no wildcards (--raw takes '*' and '?' as they are)");
    }
    if (flags.skip_existing || flags.if_source_newer) {
      return refuse("-s, -u, --skip-existing and --if-source-newer do not apply to a copy between buckets");
    }
    item.kind = BatchItem::Kind::Copy;
    item.object = o.source;
    item.version_id = o.version_id;
    item.dest = o.upload_to;
    return item;
  }
  if (o.direction == Options::Direction::Upload) {
    if (o.local_source == "-") return refuse("a run line cannot read stdin");
    if (!many_files.empty()) {
      auto to = parse_s3_prefix(line_words.back());
      if (!to) return refuse(to.error().message);
      if (!to->key.empty() && !to->key.ends_with('/')) {
        return refuse(fmt::format("{} names many files: DEST must be s3://bucket/ or a prefix ending in '/'",
                                  many_files));
      }
      wildcard.side = RunWildcard::Side::Local;
      wildcard.pattern = many_files;  // a directory: all of its files (expand_local)
      wildcard.bucket = o.upload_to.bucket;
      wildcard.dest = to->key;
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
  if (item.local_path.ends_with('/')) item.local_path += last_part(o.source.key);
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
  const std::string listed = w.pattern.substr(0, w.pattern.find_first_of("*?"));
  const std::string glob = wildcard_glob(w.pattern);
  auto line_stop = std::make_shared<StopSignal>();
  stop.add_waker([line_stop, &client] {
    line_stop->fail(Error{ErrorKind::Other, "the run stopped"});
    client.wakeup();
  });
  uint64_t matched = 0;
  list_into(client, w.bucket, listed, batch, *line_stop, [&](const ListedObject& object) {
    if (object.key.ends_with('/') || !glob_matches(glob, object.key)) return;  // a folder marker, or no match
    ++matched;
    if (o.shard && !in_shard(object.key, *o.shard)) return;
    // Named from the last '/' before the wildcard, or (--flatten) from the key's last '/'.
    const std::string& cut_at = w.flatten ? object.key : listed;
    const auto slash = cut_at.rfind('/');
    BatchItem item = download_item(S3Uri{w.bucket, object.key},
                                   slash == std::string::npos ? std::string() : cut_at.substr(0, slash + 1), object);
    item.line = line_item.line;
    item.settings = line_item.settings;
    if (item.refused.empty()) item.local_dir = w.dest;
    batch.add_ready(std::move(item));
  });
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
  const std::string dir = walk_dir.empty() ? "." : walk_dir;
  auto listing = list_regular_files(dir, w.follow_symlinks ? Beneath::Symlinks::Follow : Beneath::Symlinks::Refuse);
  if (!listing) return line_failed(batch, line_item, listing.error().message);
  const bool added = add_skipped(dir, *listing, batch, [&](const SkippedEntry& skipped) {
    BatchItem item = line_item;
    item.label.clear();
    item.local_path = shown_beneath(dir, skipped.path);
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
    item.local_path = shown_beneath(dir, file.path);
    item.dest = S3Uri{w.bucket, w.dest + (w.flatten ? last_part(file.path) : name_prefix + file.path)};
    if (auto why = invalid_key_reason(item.dest.key)) item.refused = "refused: " + *why;
    if (o.shard && !in_shard(item.dest.key, *o.shard)) continue;
    if (!batch.add(std::move(item))) return;
  }
  if (matched == 0) line_failed(batch, line_item, "no file matches " + p);
}

}  // namespace

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
      const std::string& key = item.kind == BatchItem::Kind::Upload ? item.dest.key : item.object.key;
      if (!in_shard(key, *o.shard)) continue;
    }
    if (!batch.add(std::move(item))) return;
  }
}

}  // namespace s3fcp
