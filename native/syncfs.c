/*
 * syncfs(2) for Node, which has none: one call writes out every file of a file system and waits for it, where
 * fdatasync writes out one file (and flushes the disk's cache) per call. The outbox writer syncs a batch of
 * Maildir files with one call (runtime/daemon/syncfs.ts says when it may).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <node_api.h>
#include <string.h>
#include <unistd.h>

static napi_value sync_fs(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t fd;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 || napi_get_value_int32(env, argv[0], &fd) != napi_ok) {
    napi_throw_type_error(env, NULL, "syncfs(fd): give the descriptor of a file on the file system to sync");
    return NULL;
  }
  if (syncfs(fd) == 0) return NULL;
  int err = errno;
  napi_value message, error, code;
  napi_create_string_utf8(env, strerror(err), NAPI_AUTO_LENGTH, &message);
  napi_create_error(env, NULL, message, &error);
  napi_create_int32(env, err, &code);
  napi_set_named_property(env, error, "errno", code);
  napi_throw(env, error);
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "syncfs", NAPI_AUTO_LENGTH, sync_fs, NULL, &fn);
  napi_set_named_property(env, exports, "syncfs", fn);
  return exports;
}
