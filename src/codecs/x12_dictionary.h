// The X12 dictionary: segments, their elements (type, length, mandatory) and the body segments
// of each transaction set Crossdock reads or writes, as data (src/codecs/x12_dictionary.tsv, turned
// into x12_dictionary_data.cc by scripts/gen_x12_dictionary.py). CheckX12Set validates a
// received set against it and against a trading partner's own required segments; every fault
// names its segment position and element. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "codecs/x12.h"

namespace crossdock {

struct X12SegmentDef {
  std::string_view id;
  std::string_view name;
};

struct X12ElementDef {
  std::string_view segment;
  int position = 0;     // 1-based
  std::string_view id;  // the data element number, "324"
  std::string_view name;
  std::string_view type;  // AN, ID, DT, TM, N0, N2, R
  int min = 0, max = 0;   // length
  bool mandatory = false;
};

struct X12SetDef {
  std::string_view code;  // "945"
  std::string_view name;
  std::string_view functional_group;  // GS01, "SW"
  struct Segment {
    std::string_view id;
    bool mandatory = false;
  };
  std::vector<Segment> body;  // in order
};

const std::vector<X12SegmentDef>& X12Segments();
const std::vector<X12ElementDef>& X12Elements();
const std::vector<X12SetDef>& X12Sets();

// nullptr when the dictionary has no such set or element.
const X12SetDef* FindX12Set(std::string_view code);
const X12ElementDef* FindX12Element(std::string_view segment, int position);

struct X12CheckOptions {
  std::vector<std::string> required;  // the partner's own required segments for the set
  bool lengths = true;                // check element lengths (min/max)
};

// Faults of one received set: a mandatory segment of the set (or of `options.required`, the
// partner's own list) missing; and in every segment the dictionary knows, a mandatory element
// empty, a value not of its type (dates CCYYMMDD, times HHMM[SS[dd]], N0/N2 whole numbers, R
// decimals) or (with `lengths`) shorter or longer than allowed. In a set the dictionary does not
// know, the segments it knows are still checked element by element; only the set's own
// mandatory segments are unknown.
std::vector<X12Error> CheckX12Set(const X12Transaction& set, const X12CheckOptions& options = {});

}  // namespace crossdock
