// The only place an Error becomes text and an exit code: one line on stderr, "s3fcp: CODE: message (context, HTTP n,
// request id …)", and the code of its kind. Also the common parts of a run's closing words: --stats json lines and
// the progress mode.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "cli/options.h"
#include "io/progress_bar.h"
#include "util/error.h"

namespace s3fcp {

// Prints describe() (not for a broken pipe: `| head` is no error to shout about) and returns the exit code.
int report(const Error& e, const std::string& context);
// One JSON object on one stderr line, with the exit code and reason added.
void print_json_line(nlohmann::json j, int code, const Error* error);
ProgressBar::Mode progress_mode(const Options& o);

}  // namespace s3fcp
