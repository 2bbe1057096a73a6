#include "bus/cloud_event.h"

#include "base/json.h"

namespace crossdock {

std::string FormatCloudEvent(const EventRecord& e) {
  JsonWriter w;
  w.StartObject();
  w.Field("specversion", "1.0");
  w.Field("id", e.id);
  w.Field("source", e.source);
  w.Field("type", e.type);
  w.Field("subject", e.subject);
  w.Field("time", FormatRfc3339(e.time));
  w.Field("datacontenttype", "application/json");
  if (!e.traceparent.empty()) w.Field("traceparent", e.traceparent);
  w.Key("data").Raw(e.data.empty() ? "{}" : e.data);
  w.Field("sequence", std::to_string(e.seq));
  w.EndObject();
  return w.Take();
}

}  // namespace crossdock
