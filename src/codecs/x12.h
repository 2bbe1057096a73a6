// ANSI X12 interchanges: a generic parser and serializer with envelope validation, and the
// 997 functional acknowledgment built from what was received. Pure functions; thread-safe.
//
// Parsing takes the delimiters from the fixed-width ISA segment (element separator at byte 3,
// component separator at byte 104, segment terminator at byte 105, repetition separator in
// ISA11 from version 00402 on), tolerates line breaks after segment terminators, and reads
// several interchanges back to back. Every error names the segment's position in its
// interchange (1 = ISA), the element's position in the segment (0 = the segment as a whole)
// and the byte offset in the input.
//
// Elements are kept exactly as received (composites and repetitions unsplit), so
// Serialize(Parse(x)) reproduces every segment byte for byte with the same delimiters.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace crossdock {

struct X12Delimiters {
  char element = '*';
  char component = ':';
  char repetition = 0;  // 0 = none (versions before 00402 use ISA11 as a standards id)
  char segment = '~';
  // Written after each segment terminator (not part of the data): "\n" or "" as received.
  std::string suffix;
  // With a newline as the terminator: lines end in "\r\n" (the "\r" is not data).
  bool crlf = false;
  friend bool operator==(const X12Delimiters&, const X12Delimiters&) = default;
};

struct X12Segment {
  std::string id;                     // "ISA", "ST", "W05"
  std::vector<std::string> elements;  // elements[0] is the segment's 01 element
  size_t offset = 0;                  // byte offset of the segment in the input
  int position = 0;                   // 1-based position in its interchange (ISA = 1)
  // The element at a 1-based X12 position ("W0502" → Element(2)); "" when absent.
  const std::string& Element(size_t n) const;
  friend bool operator==(const X12Segment& a, const X12Segment& b) {
    return a.id == b.id && a.elements == b.elements;  // positions are not content
  }
};

struct X12Transaction {
  X12Segment st, se;
  std::vector<X12Segment> body;                                 // between ST and SE
  const std::string& Code() const { return st.Element(1); }     // "940"
  const std::string& Control() const { return st.Element(2); }  // ST02
  friend bool operator==(const X12Transaction&, const X12Transaction&) = default;
};

struct X12Group {
  X12Segment gs, ge;
  std::vector<X12Transaction> sets;
  friend bool operator==(const X12Group&, const X12Group&) = default;
};

struct X12Interchange {
  X12Delimiters delimiters;
  X12Segment isa, iea;
  std::vector<X12Segment> service;  // ISB, ISE, TA1 between ISA and the first GS
  std::vector<X12Group> groups;
  friend bool operator==(const X12Interchange&, const X12Interchange&) = default;
};

// One fault: where and what. Severity kError makes the file unusable as a whole (no tree);
// kEnvelope is a count or control-number mismatch (the tree is still built, and the 997
// rejects the affected group or set).
struct X12Error {
  enum class Kind { kSyntax, kEnvelope };
  Kind kind = Kind::kSyntax;
  int interchange = 0;  // 0-based
  int segment = 0;      // position in the interchange, 1 = ISA; 0 = before any segment
  int element = 0;      // 1-based element position; 0 = the whole segment
  size_t offset = 0;    // byte offset in the input
  std::string segment_id;
  std::string message;
  // A set's content fault as a 997 reports it (CheckX12Set): with element 0 the AK3 segment
  // syntax error code ("3" mandatory segment missing; segment_id is then the missing one),
  // else the AK4 element syntax error code ("1" mandatory missing, "4" too short, "5" too long,
  // "6" invalid character, "8" invalid date, "9" invalid time). "" for other faults.
  std::string ack_code;
  // "segment 12 (SE) element 1 at byte 340: ..."
  std::string ToString() const;
};

struct X12Document {
  std::vector<X12Interchange> interchanges;
  std::vector<X12Error> errors;
  bool ok() const { return errors.empty(); }
  // True when the bytes could be read as interchanges at all (envelope errors allowed).
  bool readable = false;
};

struct X12ParseOptions {
  size_t max_segments = 1'000'000;
  size_t max_elements = 512;  // per segment
};

X12Document ParseX12(std::string_view input, const X12ParseOptions& options = {});

// Writes the interchange with its own delimiters; the segment counts and control numbers are
// written as they are (see X12Builder for new outbound documents).
std::string SerializeX12(const X12Interchange& interchange);

// The 997 acknowledging every group of `received` as its receiver would send it: sender and
// receiver swapped, interchange control number `isa13`, group control number `gs06`, dated
// `yymmdd`/`hhmm` (and CCYYMMDD for GS04). Sets with envelope errors are rejected (AK5 R with
// code 3 or 4); sets with content faults (errors with an ack_code, from CheckX12Set) are
// rejected with an AK3 per faulty segment and an AK4 per faulty element (AK5 R 5); their group
// partially accepted (AK9 P) or rejected (AK9 R).
X12Interchange Build997(const X12Interchange& received, const std::vector<X12Error>& errors,
                        const std::string& isa13, const std::string& gs06,
                        const std::string& yymmdd, const std::string& hhmm);

// The segment tree of a document as JSON (`crossdock x12 parse`).
std::string X12ToJson(const X12Document& document);

// Builds a new outbound interchange: ISA/GS/ST envelopes with counts and control numbers
// computed, and every element checked for the delimiters (S8: a value containing one is
// refused, or the delimiter is replaced by `replacement` when that is not 0).
class X12Builder {
 public:
  struct Party {
    std::string qualifier = "ZZ";
    std::string id;
  };
  X12Builder(X12Delimiters delimiters, Party sender, Party receiver, std::string version = "00401",
             char replacement = 0);
  // Starts a group (GS01 functional id, GS08 version such as "004010").
  void StartGroup(std::string functional_id, std::string gs02, std::string gs03,
                  std::string control, std::string version, std::string ccyymmdd, std::string hhmm);
  void StartSet(std::string code, std::string control);
  // Adds a body segment; elements may contain no delimiter (see the class comment).
  void Add(std::string id, std::vector<std::string> elements);
  // Closes everything and returns the interchange; `errors` lists refused values.
  X12Interchange Finish(std::string isa13, std::string yymmdd, std::string hhmm, bool test);
  const std::vector<std::string>& errors() const { return errors_; }

 private:
  std::string Clean(std::string value, const std::string& where);
  void CloseSet();
  void CloseGroup();
  X12Delimiters d_;
  Party sender_, receiver_;
  std::string version_;
  char replacement_;
  X12Interchange out_;
  bool in_group_ = false, in_set_ = false;
  std::vector<std::string> errors_;
};

}  // namespace crossdock
