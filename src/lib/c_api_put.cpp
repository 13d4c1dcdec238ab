// The C API's uploads: from a buffer (read in place while the call blocks), from a file descriptor (a regular file
// read with pread in parallel, anything else streamed), from a read callback of unknown length (streamed in parts
// that grow, within the client's memory limit). All through upload() (ops/put/upload.h): one PUT up to the part
// size, else a multipart upload that is aborted when it fails or is cancelled.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "lib/c_api.h"
#include "ops/put/upload.h"

using namespace s3fcp;

namespace {

Result<UploadJob> upload_job(s3fcp_client* client, const char* bucket, const char* key,
                             const s3fcp_put_options* options) {
  s3fcp_put_options defaults;
  s3fcp_put_options_init(&defaults);
  const s3fcp_put_options& o = options != nullptr ? *options : defaults;
  UploadJob job;
  job.spec.target = Target{bucket, key, std::nullopt};
  job.spec.object_headers.emplace_back("Content-Type",
                                       o.content_type != nullptr ? o.content_type : "application/octet-stream");
  for (const char* const* m = o.metadata; m != nullptr && m[0] != nullptr; m += 2) {
    if (m[1] == nullptr) return fail(Error::usage("metadata: a name without a value"));
    job.spec.object_headers.emplace_back(std::string("x-amz-meta-") + m[0], m[1]);
  }
  if (o.storage_class != nullptr) job.spec.object_headers.emplace_back("x-amz-storage-class", o.storage_class);
  job.spec.checksum = o.checksum < 0 ? std::nullopt : std::optional(ChecksumAlgorithm::Crc64Nvme);
  job.spec.no_clobber = o.no_clobber != 0;
  job.spec.concurrency = client->per_call;
  if (client->part_size != 0) job.part_size = client->part_size;
  job.memory_budget = client->memory_limit;
  if (o.expected_size != 0) job.expected_size = o.expected_size;
  job.source.push_back('-');  // not = "-": g++ 12 -Wrestrict false positive
  return job;
}

int run_upload(s3fcp_client* client, UploadJob job, s3fcp_cancel_token* cancel, s3fcp_error* err) {
  UploadSummary summary;
  auto result = upload(*client->client, job, plain_runner(cancel), summary);
  if (!result) return report_error(result.error(), err);
  return report_ok(err);
}

}  // namespace

extern "C" {

S3FCP_API void s3fcp_put_options_init(s3fcp_put_options* options) {
  *options = s3fcp_put_options{};
  options->struct_size = sizeof(s3fcp_put_options);
}

S3FCP_API int s3fcp_put_from_buffer(s3fcp_client* client, const char* bucket, const char* key, const void* data,
                                    size_t size, const s3fcp_put_options* options, s3fcp_cancel_token* cancel,
                                    s3fcp_error* err) {
  return guarded(err, [&] {
    if (auto ok = check_names(bucket, key, true); !ok) return report_error(ok.error(), err);
    if (data == nullptr && size != 0) return report_error(Error::usage("no data"), err);
    auto job = upload_job(client, bucket, key, options);
    if (!job) return report_error(job.error(), err);
    const std::span<const std::byte> bytes(static_cast<const std::byte*>(data), size);
    job->open_source_sized = true;
    job->open_source = [bytes](const UploadSource::Options& so) { return UploadSource::memory(bytes, "the buffer", so); };
    return run_upload(client, std::move(*job), cancel, err);
  });
}

S3FCP_API int s3fcp_put_from_fd(s3fcp_client* client, const char* bucket, const char* key, int fd,
                                const s3fcp_put_options* options, s3fcp_cancel_token* cancel, s3fcp_error* err) {
  return guarded(err, [&] {
    if (auto ok = check_names(bucket, key, true); !ok) return report_error(ok.error(), err);
    auto job = upload_job(client, bucket, key, options);
    if (!job) return report_error(job.error(), err);
    struct stat st {};
    if (::fstat(fd, &st) != 0) return report_error(Error::usage(fmt::format("fd {} is not open", fd)), err);
    if (S_ISREG(st.st_mode)) {
      // A regular file: a duplicate the upload owns, read with pread from offset 0, in a file's parts.
      job->open_source_sized = true;
      job->open_source = [fd](const UploadSource::Options& so) -> Result<std::unique_ptr<UploadSource>> {
        Fd own(::fcntl(fd, F_DUPFD_CLOEXEC, 0));
        if (own.get() < 0) return fail(ErrorKind::Io, "cannot duplicate the file descriptor");
        return UploadSource::file(std::move(own), fmt::format("fd {}", fd), so);
      };
    } else {
      job->open_source = [fd](const UploadSource::Options& so) {
        return UploadSource::stream(fd, fmt::format("fd {}", fd), so);
      };
    }
    return run_upload(client, std::move(*job), cancel, err);
  });
}

S3FCP_API int s3fcp_put_from_callback(s3fcp_client* client, const char* bucket, const char* key,
                                      s3fcp_read_fn read, void* user, const s3fcp_put_options* options,
                                      s3fcp_cancel_token* cancel, s3fcp_error* err) {
  return guarded(err, [&] {
    if (auto ok = check_names(bucket, key, true); !ok) return report_error(ok.error(), err);
    if (read == nullptr) return report_error(Error::usage("no read callback"), err);
    auto job = upload_job(client, bucket, key, options);
    if (!job) return report_error(job.error(), err);
    job->open_source = [read, user](const UploadSource::Options& so) {
      return UploadSource::reader(
          [read, user](std::byte* into, size_t capacity) -> Result<size_t> {
            const long n = read(user, into, capacity);
            if (n < 0) return fail(ErrorKind::Io, "the read callback failed");
            return static_cast<size_t>(n);
          },
          "the read callback", so);
    };
    return run_upload(client, std::move(*job), cancel, err);
  });
}

}  // extern "C"
