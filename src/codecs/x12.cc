#include "codecs/x12.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "base/json.h"

namespace crossdock {

namespace {

constexpr size_t kIsaLength = 106;  // "ISA" + 16 elements + separators + terminator
// Fixed widths of ISA01..ISA16.
constexpr size_t kIsaWidths[16] = {2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1};

const std::string kEmpty;

bool IsSpace(char c) {
  return c == '\r' || c == '\n' || c == ' ' || c == '\t';
}

bool ValidSegmentId(std::string_view id) {
  if (id.size() < 2 || id.size() > 3) return false;
  return std::all_of(id.begin(), id.end(),
                     [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); });
}

std::vector<std::string> Split(std::string_view text, char sep) {
  std::vector<std::string> out;
  size_t i = 0;
  while (true) {
    size_t j = text.find(sep, i);
    if (j == std::string_view::npos) {
      out.emplace_back(text.substr(i));
      return out;
    }
    out.emplace_back(text.substr(i, j - i));
    i = j + 1;
  }
}

bool Digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Compares control numbers and counts numerically when both are numbers ("0001" = "1").
bool SameNumber(std::string_view a, std::string_view b) {
  auto trim = [](std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
  };
  a = trim(a), b = trim(b);
  if (a.empty() || b.empty()) return false;  // a missing count or control number never agrees
  if (Digits(a) && Digits(b)) {
    while (a.size() > 1 && a.front() == '0') a.remove_prefix(1);
    while (b.size() > 1 && b.front() == '0') b.remove_prefix(1);
  }
  return a == b;
}

class Parser {
 public:
  Parser(std::string_view in, const X12ParseOptions& opts, X12Document& doc)
      : in_(in), opts_(opts), doc_(doc) {}

  void Run() {
    size_t pos = 0;
    if (in_.substr(0, 3) == "\xEF\xBB\xBF") pos = 3;  // UTF-8 byte order mark
    while (true) {
      while (pos < in_.size() && IsSpace(in_[pos])) ++pos;
      if (pos >= in_.size()) break;
      if (in_.substr(pos, 3) != "ISA") {
        Error(X12Error::Kind::kSyntax, 0, 0, pos, "",
              doc_.interchanges.empty() ? "not an X12 interchange: expected ISA"
                                        : "expected ISA (a new interchange) after IEA");
        return;
      }
      if (!Interchange(pos)) return;
    }
    if (doc_.interchanges.empty() && doc_.errors.empty()) {
      Error(X12Error::Kind::kSyntax, 0, 0, 0, "", "empty input: no interchange");
    }
  }

 private:
  void Error(X12Error::Kind kind, int segment, int element, size_t offset, std::string id,
             std::string message) {
    X12Error e;
    e.kind = kind;
    e.interchange = static_cast<int>(doc_.interchanges.size());
    e.segment = segment;
    e.element = element;
    e.offset = offset;
    e.segment_id = std::move(id);
    e.message = std::move(message);
    doc_.errors.push_back(std::move(e));
  }

  // Reads one interchange starting at `pos` (which points at "ISA"); advances `pos`.
  bool Interchange(size_t& pos) {
    if (in_.size() - pos < kIsaLength) {
      Error(X12Error::Kind::kSyntax, 1, 0, pos, "ISA", "ISA is shorter than its fixed 106 bytes");
      return false;
    }
    X12Interchange x;
    X12Delimiters& d = x.delimiters;
    d.element = in_[pos + 3];
    d.component = in_[pos + 104];
    d.segment = in_[pos + 105];
    auto unusable = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == ' '; };
    if (unusable(d.element) || unusable(d.component) || unusable(d.segment) ||
        d.segment == d.element || d.component == d.element || d.component == d.segment ||
        (d.segment == '\n' && d.component == '\r')) {
      Error(X12Error::Kind::kSyntax, 1, 0, pos, "ISA",
            "ISA does not define usable delimiters (bytes 4, 105 and 106 must differ and not "
            "be letters, digits or spaces)");
      return false;
    }
    std::string_view isa_text = in_.substr(pos, kIsaLength - 1);
    auto parts = Split(isa_text, d.element);
    if (parts.size() != 17) {
      Error(X12Error::Kind::kSyntax, 1, 0, pos, "ISA",
            "ISA has " + std::to_string(parts.size() - 1) + " elements; it must have 16");
      return false;
    }
    size_t at = pos + 4;
    for (size_t i = 0; i < 16; ++i) {
      if (parts[i + 1].size() != kIsaWidths[i]) {
        Error(X12Error::Kind::kSyntax, 1, static_cast<int>(i + 1), at, "ISA",
              "ISA" + std::string(i + 1 < 10 ? "0" : "") + std::to_string(i + 1) + " must be " +
                  std::to_string(kIsaWidths[i]) + " characters wide, not " +
                  std::to_string(parts[i + 1].size()));
        return false;
      }
      at += parts[i + 1].size() + 1;
    }
    x.isa.id = "ISA";
    x.isa.elements.assign(parts.begin() + 1, parts.end());
    x.isa.offset = pos;
    x.isa.position = 1;
    const std::string& version = x.isa.elements[11];
    char isa11 = x.isa.elements[10][0];
    if (version >= "00402" && !std::isalnum(static_cast<unsigned char>(isa11)) && isa11 != ' ' &&
        isa11 != d.element && isa11 != d.component && isa11 != d.segment) {
      d.repetition = isa11;
    }
    pos += kIsaLength;
    if (d.segment != '\n') {
      if (in_.substr(pos, 2) == "\r\n")
        d.suffix = "\r\n";
      else if (in_.substr(pos, 1) == "\n")
        d.suffix = "\n";
    }
    int position = 1;
    enum class State { kInterchange, kGroup, kSet } state = State::kInterchange;
    X12Group group;
    X12Transaction set;
    while (true) {
      while (pos < in_.size() && IsSpace(in_[pos]) && in_[pos] != d.segment) ++pos;
      if (pos >= in_.size()) {
        Error(X12Error::Kind::kSyntax, position, 0, pos, "",
              "the input ends inside the interchange: no IEA");
        doc_.interchanges.push_back(std::move(x));
        return false;
      }
      size_t end = in_.find(d.segment, pos);
      if (end == std::string_view::npos) end = in_.size();
      std::string_view text = in_.substr(pos, end - pos);
      if (d.segment == '\n' && !text.empty() && text.back() == '\r') {
        text.remove_suffix(1);
        d.crlf = true;  // written back before every terminator
      }
      X12Segment seg;
      seg.offset = pos;
      seg.position = ++position;
      // Count before splitting: a hostile run of separators must not become millions of strings.
      if (static_cast<size_t>(std::count(text.begin(), text.end(), d.element)) >
          opts_.max_elements) {
        Error(X12Error::Kind::kSyntax, position, 0, pos, "",
              "more than " + std::to_string(opts_.max_elements) + " elements");
        return false;
      }
      auto fields = Split(text, d.element);
      seg.id = std::move(fields[0]);
      seg.elements.assign(std::make_move_iterator(fields.begin() + 1),
                          std::make_move_iterator(fields.end()));
      pos = end < in_.size() ? end + 1 : end;
      if (++segments_ > opts_.max_segments) {
        Error(X12Error::Kind::kSyntax, position, 0, seg.offset, seg.id,
              "more than " + std::to_string(opts_.max_segments) + " segments");
        return false;
      }
      if (!ValidSegmentId(seg.id)) {
        Error(X12Error::Kind::kSyntax, position, 0, seg.offset, seg.id,
              "is not a segment id (2 or 3 upper-case letters and digits)");
        continue;
      }
      const std::string& id = seg.id;
      switch (state) {
        case State::kInterchange:
          if (id == "GS") {
            group = X12Group{};
            group.gs = std::move(seg);
            state = State::kGroup;
          } else if (id == "IEA") {
            x.iea = std::move(seg);
            Validate(x);
            doc_.interchanges.push_back(std::move(x));
            return true;
          } else if ((id == "ISB" || id == "ISE" || id == "TA1") && x.groups.empty()) {
            x.service.push_back(std::move(seg));
          } else {
            Error(X12Error::Kind::kSyntax, position, 0, seg.offset, id,
                  "is not allowed outside a functional group (expected GS or IEA)");
          }
          break;
        case State::kGroup:
          if (id == "ST") {
            set = X12Transaction{};
            set.st = std::move(seg);
            state = State::kSet;
          } else if (id == "GE") {
            group.ge = std::move(seg);
            x.groups.push_back(std::move(group));
            state = State::kInterchange;
          } else {
            Error(X12Error::Kind::kSyntax, position, 0, seg.offset, id,
                  "is not allowed between transaction sets (expected ST or GE)");
          }
          break;
        case State::kSet:
          if (id == "SE") {
            set.se = std::move(seg);
            group.sets.push_back(std::move(set));
            state = State::kGroup;
          } else if (id == "ST" || id == "GS" || id == "GE" || id == "IEA" || id == "ISA") {
            Error(X12Error::Kind::kSyntax, position, 0, seg.offset, id,
                  "inside transaction set " + set.st.Element(1) + " " + set.Control() +
                      ", which has no SE");
          } else {
            set.body.push_back(std::move(seg));
          }
          break;
      }
    }
  }

  void Envelope(const X12Segment& trailer, int element, std::string message) {
    Error(X12Error::Kind::kEnvelope, trailer.position, element, trailer.offset, trailer.id,
          std::move(message));
  }

  void Validate(const X12Interchange& x) {
    for (const auto& g : x.groups) {
      for (const auto& s : g.sets) {
        std::string count = std::to_string(s.body.size() + 2);
        if (!SameNumber(s.se.Element(1), count)) {
          Envelope(s.se, 1,
                   "SE01 is " + s.se.Element(1) + " but the set has " + count + " segments");
        }
        if (!SameNumber(s.se.Element(2), s.st.Element(2))) {
          Envelope(s.se, 2, "SE02 " + s.se.Element(2) + " does not match ST02 " + s.st.Element(2));
        }
      }
      std::string sets = std::to_string(g.sets.size());
      if (!SameNumber(g.ge.Element(1), sets)) {
        Envelope(g.ge, 1, "GE01 is " + g.ge.Element(1) + " but the group has " + sets + " sets");
      }
      if (!SameNumber(g.ge.Element(2), g.gs.Element(6))) {
        Envelope(g.ge, 2, "GE02 " + g.ge.Element(2) + " does not match GS06 " + g.gs.Element(6));
      }
    }
    std::string groups = std::to_string(x.groups.size());
    if (!SameNumber(x.iea.Element(1), groups)) {
      Envelope(x.iea, 1,
               "IEA01 is " + x.iea.Element(1) + " but the interchange has " + groups + " groups");
    }
    if (!SameNumber(x.iea.Element(2), x.isa.Element(13))) {
      Envelope(x.iea, 2,
               "IEA02 " + x.iea.Element(2) + " does not match ISA13 " + x.isa.Element(13));
    }
  }

  std::string_view in_;
  const X12ParseOptions& opts_;
  X12Document& doc_;
  size_t segments_ = 0;  // in the whole document
};

void WriteSegment(std::string& out, const X12Segment& s, const X12Delimiters& d) {
  // The ISA's terminator is its byte 106 by definition: no "\r" goes before it.
  bool cr = d.crlf && s.id != "ISA";
  out += s.id;
  for (const auto& e : s.elements) {
    out += d.element;
    out += e;
  }
  if (cr) out += '\r';
  out += d.segment;
  out += d.suffix;
}

std::string Pad(std::string s, size_t width) {
  s.resize(width, ' ');
  return s;
}

}  // namespace

const std::string& X12Segment::Element(size_t n) const {
  return n >= 1 && n <= elements.size() ? elements[n - 1] : kEmpty;
}

std::string X12Error::ToString() const {
  std::string out;
  if (segment > 0) {
    out = "segment " + std::to_string(segment);
    if (!segment_id.empty()) out += " (" + segment_id + ")";
    if (element > 0) out += " element " + std::to_string(element);
    out += " at byte " + std::to_string(offset) + ": ";
  } else {
    out = "byte " + std::to_string(offset) + ": ";
  }
  if (interchange > 0) out = "interchange " + std::to_string(interchange + 1) + ", " + out;
  return out + message;
}

X12Document ParseX12(std::string_view input, const X12ParseOptions& options) {
  X12Document doc;
  Parser(input, options, doc).Run();
  doc.readable = !doc.interchanges.empty() &&
                 std::none_of(doc.errors.begin(), doc.errors.end(),
                              [](const X12Error& e) { return e.kind == X12Error::Kind::kSyntax; });
  return doc;
}

std::string SerializeX12(const X12Interchange& x) {
  std::string out;
  const X12Delimiters& d = x.delimiters;
  WriteSegment(out, x.isa, d);
  for (const auto& s : x.service) WriteSegment(out, s, d);
  for (const auto& g : x.groups) {
    WriteSegment(out, g.gs, d);
    for (const auto& t : g.sets) {
      WriteSegment(out, t.st, d);
      for (const auto& s : t.body) WriteSegment(out, s, d);
      WriteSegment(out, t.se, d);
    }
    WriteSegment(out, g.ge, d);
  }
  WriteSegment(out, x.iea, d);
  return out;
}

X12Interchange Build997(const X12Interchange& received, const std::vector<X12Error>& errors,
                        const std::string& isa13, const std::string& gs06,
                        const std::string& yymmdd, const std::string& hhmm) {
  const X12Segment& isa = received.isa;
  X12Delimiters d = received.delimiters;
  // Envelope errors by the position of the trailer they were found on.
  std::map<int, std::vector<const X12Error*>> at;
  for (const auto& e : errors) {
    if (e.kind == X12Error::Kind::kEnvelope) at[e.segment].push_back(&e);
  }
  X12Builder b(d, {isa.Element(7), isa.Element(8)}, {isa.Element(5), isa.Element(6)},
               isa.Element(12));
  for (const auto& g : received.groups) {
    std::string version = g.gs.Element(8);
    b.StartGroup("FA", g.gs.Element(3), g.gs.Element(2), gs06, version, "20" + yymmdd, hhmm);
    b.StartSet("997", "0001");
    b.Add("AK1", {g.gs.Element(1), g.gs.Element(6)});
    int accepted = 0;
    for (const auto& t : g.sets) {
      b.Add("AK2", {t.Code(), t.Control()});
      std::vector<std::string> ak5 = {"A"};
      // Content faults of the set, by segment: AK3 for the segment, AK4 for each element.
      std::map<int, std::vector<const X12Error*>> faults;
      for (const auto& e : errors) {
        if (!e.ack_code.empty() && e.segment >= t.st.position && e.segment <= t.se.position)
          faults[e.segment].push_back(&e);
      }
      for (const auto& [position, list] : faults) {
        for (const X12Error* e : list) {
          if (e->element == 0) {  // a missing segment, reported at the set's ST
            b.Add("AK3", {e->segment_id, std::to_string(t.body.size() + 2), "", e->ack_code});
          }
        }
        bool elements =
            std::any_of(list.begin(), list.end(), [](const X12Error* e) { return e->element > 0; });
        if (!elements) continue;
        b.Add("AK3", {list.front()->segment_id, std::to_string(position - t.st.position + 1), "",
                      "8"});  // 8: segment has data element errors
        for (const X12Error* e : list) {
          if (e->element > 0) b.Add("AK4", {std::to_string(e->element), "", e->ack_code});
        }
      }
      if (!faults.empty()) ak5 = {"R", "5"};  // 5: one or more segments in error
      for (const X12Error* e : at[t.se.position]) {
        ak5[0] = "R";
        ak5.push_back(e->element == 1 ? "4" : "3");  // 4: segment count; 3: control numbers
      }
      if (ak5[0] == "A") ++accepted;
      b.Add("AK5", ak5);
    }
    std::vector<std::string> ak9 = {accepted == static_cast<int>(g.sets.size()) ? "A"
                                    : accepted == 0                             ? "R"
                                                                                : "P",
                                    std::to_string(g.sets.size()), std::to_string(g.sets.size()),
                                    std::to_string(accepted)};
    for (const X12Error* e : at[g.ge.position]) {
      ak9[0] = "R";
      ak9.push_back(e->element == 1 ? "5" : "4");  // 5: set count; 4: control numbers differ
    }
    b.Add("AK9", ak9);
  }
  return b.Finish(isa13, yymmdd, hhmm, isa.Element(15) == "T");
}

std::string X12ToJson(const X12Document& doc) {
  JsonWriter w;
  auto segment = [&](const X12Segment& s) {
    w.StartArray().String(s.id);
    for (const auto& e : s.elements) w.String(e);
    w.EndArray();
  };
  w.StartObject().Key("interchanges").StartArray();
  for (const auto& x : doc.interchanges) {
    const X12Delimiters& d = x.delimiters;
    w.StartObject();
    w.Key("delimiters").StartObject();
    w.Field("element", std::string(1, d.element));
    w.Field("component", std::string(1, d.component));
    w.Field("repetition", d.repetition ? std::string(1, d.repetition) : std::string());
    w.Field("segment", std::string(1, d.segment));
    w.EndObject();
    w.Key("isa");
    segment(x.isa);
    w.Key("service").StartArray();
    for (const auto& s : x.service) segment(s);
    w.EndArray();
    w.Key("groups").StartArray();
    for (const auto& g : x.groups) {
      w.StartObject().Key("gs");
      segment(g.gs);
      w.Key("sets").StartArray();
      for (const auto& t : g.sets) {
        w.StartObject().Field("code", t.Code()).Field("control", t.Control());
        w.Key("segments").StartArray();
        segment(t.st);
        for (const auto& s : t.body) segment(s);
        segment(t.se);
        w.EndArray().EndObject();
      }
      w.EndArray().Key("ge");
      segment(g.ge);
      w.EndObject();
    }
    w.EndArray().Key("iea");
    segment(x.iea);
    w.EndObject();
  }
  w.EndArray();
  w.Key("errors").StartArray();
  for (const auto& e : doc.errors) {
    w.StartObject();
    w.Field("kind", e.kind == X12Error::Kind::kSyntax ? "syntax" : "envelope");
    w.Field("interchange", e.interchange + 1);
    w.Field("segment", e.segment);
    w.Field("segment_id", e.segment_id);
    w.Field("element", e.element);
    w.Field("offset", static_cast<int64_t>(e.offset));
    w.Field("message", e.message);
    w.EndObject();
  }
  w.EndArray().EndObject();
  return w.Take();
}

X12Builder::X12Builder(X12Delimiters delimiters, Party sender, Party receiver, std::string version,
                       char replacement)
    : d_(std::move(delimiters)),
      sender_(std::move(sender)),
      receiver_(std::move(receiver)),
      version_(std::move(version)),
      replacement_(replacement) {
  // From 00402 on, ISA11 is the repetition separator: never write "U" there.
  if (version_ >= "00402" && d_.repetition == 0) d_.repetition = '^';
  if (replacement_ && (replacement_ == d_.element || replacement_ == d_.segment ||
                       replacement_ == d_.component || replacement_ == d_.repetition)) {
    errors_.push_back("the replacement character is itself a delimiter");
    replacement_ = 0;
  }
  out_.delimiters = d_;
}

std::string X12Builder::Clean(std::string value, const std::string& where) {
  for (char& c : value) {
    bool delimiter = c == d_.element || c == d_.segment || c == d_.component ||
                     (d_.repetition && c == d_.repetition);
    if (!delimiter) continue;
    if (replacement_) {
      c = replacement_;
    } else {
      errors_.push_back(where + ": the value contains the delimiter '" + std::string(1, c) + "'");
      return value;
    }
  }
  return value;
}

void X12Builder::StartGroup(std::string functional_id, std::string gs02, std::string gs03,
                            std::string control, std::string version, std::string ccyymmdd,
                            std::string hhmm) {
  CloseGroup();
  X12Group g;
  g.gs.id = "GS";
  g.gs.elements = {Clean(functional_id, "GS01"),
                   Clean(gs02, "GS02"),
                   Clean(gs03, "GS03"),
                   ccyymmdd,
                   hhmm,
                   control,
                   "X",
                   Clean(version, "GS08")};
  out_.groups.push_back(std::move(g));
  in_group_ = true;
}

void X12Builder::StartSet(std::string code, std::string control) {
  CloseSet();
  X12Transaction t;
  t.st.id = "ST";
  t.st.elements = {Clean(std::move(code), "ST01"), Clean(std::move(control), "ST02")};
  out_.groups.back().sets.push_back(std::move(t));
  in_set_ = true;
}

void X12Builder::Add(std::string id, std::vector<std::string> elements) {
  X12Segment s;
  s.id = std::move(id);
  X12Transaction& t = out_.groups.back().sets.back();
  std::string where =
      s.id + " (segment " + std::to_string(t.body.size() + 2) + " of set " + t.Control() + ")";
  for (size_t i = 0; i < elements.size(); ++i) {
    std::string pos = (i + 1 < 10 ? "0" : "") + std::to_string(i + 1);
    s.elements.push_back(Clean(std::move(elements[i]), where + " element " + s.id + pos));
  }
  while (!s.elements.empty() && s.elements.back().empty()) s.elements.pop_back();
  t.body.push_back(std::move(s));
}

void X12Builder::CloseSet() {
  if (!in_set_) return;
  X12Transaction& t = out_.groups.back().sets.back();
  t.se.id = "SE";
  t.se.elements = {std::to_string(t.body.size() + 2), t.Control()};
  in_set_ = false;
}

void X12Builder::CloseGroup() {
  CloseSet();
  if (!in_group_) return;
  X12Group& g = out_.groups.back();
  g.ge.id = "GE";
  g.ge.elements = {std::to_string(g.sets.size()), g.gs.Element(6)};
  in_group_ = false;
}

X12Interchange X12Builder::Finish(std::string isa13, std::string yymmdd, std::string hhmm,
                                  bool test) {
  CloseGroup();
  // Fixed-width fields are refused, never cut: a cut id or control number is a wrong one.
  auto fits = [&](const std::string& v, size_t width, const char* what, bool digits) {
    if (v.size() > width || (digits && !Digits(v))) {
      errors_.push_back(std::string(what) + " '" + v + "' does not fit " + std::to_string(width) +
                        (digits ? " digits" : " characters"));
    }
  };
  fits(isa13, 9, "ISA13", true);
  fits(yymmdd, 6, "ISA09", true);
  fits(hhmm, 4, "ISA10", true);
  fits(sender_.id, 15, "ISA06", false);
  fits(receiver_.id, 15, "ISA08", false);
  fits(sender_.qualifier, 2, "ISA05", false);
  fits(receiver_.qualifier, 2, "ISA07", false);
  fits(version_, 5, "ISA12", false);
  while (isa13.size() < 9) isa13.insert(isa13.begin(), '0');
  out_.isa.id = "ISA";
  std::string isa11 = d_.repetition && version_ >= "00402" ? std::string(1, d_.repetition) : "U";
  out_.isa.elements = {"00",
                       Pad("", 10),
                       "00",
                       Pad("", 10),
                       Pad(sender_.qualifier, 2),
                       Pad(Clean(sender_.id, "ISA06"), 15),
                       Pad(receiver_.qualifier, 2),
                       Pad(Clean(receiver_.id, "ISA08"), 15),
                       Pad(yymmdd, 6),
                       Pad(hhmm, 4),
                       isa11,
                       Pad(version_, 5),
                       isa13.substr(0, 9),
                       "0",
                       test ? "T" : "P",
                       std::string(1, d_.component)};
  out_.iea.id = "IEA";
  out_.iea.elements = {std::to_string(out_.groups.size()), out_.isa.elements[12]};
  return std::move(out_);
}

}  // namespace crossdock
