// CloudEvents 1.0 (JSON event format) for records of the event log. `source` + `id` never
// change when an event is re-sent: together they are the end-to-end deduplication key.
// Pure functions.
#pragma once

#include <string>

#include "store/records.h"

namespace crossdock {

// {"specversion":"1.0","id":…,"source":…,"type":…,"subject":…,"time":…,
//  "datacontenttype":"application/json","traceparent":…,"data":{…},"sequence":"<log seq>"}
// `sequence` is the event's position in the log (CloudEvents sequence extension, a string).
std::string FormatCloudEvent(const EventRecord& event);

}  // namespace crossdock
