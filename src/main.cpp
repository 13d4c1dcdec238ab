// s3fcp's entry point: parse the command line, resolve where the object is and who we are, run the copy on one
// shared client, and turn the outcome into an exit code (cli/report.h is the only place an Error becomes text).
#include <signal.h>

#include <cstdio>

#include "cli/commands.h"
#include "cli/options.h"
#include "cli/report.h"
#include "cli/settings.h"
#include "client/client.h"

using namespace s3fcp;

int main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);  // a closed stdout shows up as EPIPE from write(), handled as exit 141

  auto parsed = parse_command_line(argc, argv);
  if (!parsed) return report(parsed.error(), "");
  if (parsed->action == ParsedCommandLine::Action::PrintAndExit) {
    std::fputs(parsed->text.c_str(), stdout);
    return 0;
  }
  Options& o = parsed->options;
  init_network();  // the credential sources use curl too
  auto resolved = resolve(o);
  if (!resolved) return report(resolved.error(), o.source_display());
  if (o.no_verify_tls && !o.quiet) {
    std::fputs("s3fcp: warning: --no-verify-ssl: the endpoint's TLS certificate is not checked\n", stderr);
  }
  Client client(resolved->client);
  if (o.mode != Options::Mode::Single) return run_many(o, *resolved, client);
  if (o.direction == Options::Direction::Copy) return run_copy(o, *resolved, client);
  return o.direction == Options::Direction::Upload ? run_upload(o, *resolved, client)
                                                   : run_download(o, *resolved, client);
}
