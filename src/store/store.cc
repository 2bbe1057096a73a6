#include "store/store.h"

#include <future>

namespace crossdock {

Status Store::WriteAndWait(WriteJob job) {
  std::promise<Status> promise;
  auto future = promise.get_future();
  Write(std::move(job), [&promise](Status s) { promise.set_value(std::move(s)); });
  return future.get();
}

}  // namespace crossdock
