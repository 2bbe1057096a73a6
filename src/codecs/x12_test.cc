#include "codecs/x12.h"

#include <gtest/gtest.h>

#include "codecs/golden_files_test_util.h"

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace crossdock {
namespace {

namespace fs = std::filesystem;

const fs::path kDir = fs::path(CROSSDOCK_TESTDATA_DIR) / "x12";

using testing_util::ReadFile;

std::string Describe(const std::vector<X12Error>& errors) {
  std::string out;
  for (const auto& e : errors) out += "  " + e.ToString() + "\n";
  return out;
}

// Removes line breaks and spaces between segments, which the serializer writes only as the
// input's own suffix after each terminator.
std::string Canonical(std::string_view s) {
  std::string out(s);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r' || out.back() == ' '))
    out.pop_back();
  return out;
}

TEST(X12GoldenTest, EveryFixtureParsesOrFailsAsDocumented) {
  std::ifstream table(kDir / "expected.txt");
  std::string line;
  int files = 0, round_trips = 0;
  std::set<std::string> listed;
  while (std::getline(table, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ls(line);
    std::string file, word;
    ls >> file;
    listed.insert(file);
    std::set<std::string> want;
    bool ok = false, unreadable = false;
    while (ls >> word) {
      if (word == "ok")
        ok = true;
      else if (word == "unreadable")
        unreadable = true;
      else
        want.insert(word);
    }
    SCOPED_TRACE(file);
    std::string input = ReadFile(kDir / file);
    ASSERT_FALSE(input.empty());
    X12Document doc = ParseX12(input);
    ++files;
    if (unreadable) {
      EXPECT_FALSE(doc.readable);
      ASSERT_FALSE(doc.errors.empty());
      EXPECT_EQ(doc.errors[0].kind, X12Error::Kind::kSyntax);
      continue;
    }
    ASSERT_TRUE(doc.readable) << Describe(doc.errors);
    std::set<std::string> got;
    for (const auto& e : doc.errors) got.insert(e.segment_id + ":" + std::to_string(e.element));
    if (ok) {
      EXPECT_TRUE(doc.ok()) << Describe(doc.errors);
    } else {
      EXPECT_EQ(got, want) << Describe(doc.errors);
      for (const auto& e : doc.errors) {
        EXPECT_EQ(e.kind, X12Error::Kind::kEnvelope);
        EXPECT_GT(e.segment, 1);  // names the trailer's position
      }
    }
    // Round trip: parse → serialize → parse gives the same tree, and the same bytes.
    std::string written;
    for (const auto& x : doc.interchanges) written += SerializeX12(x);
    X12Document again = ParseX12(written);
    EXPECT_EQ(again.interchanges, doc.interchanges);
    EXPECT_EQ(Canonical(written), Canonical(input));
    ++round_trips;
  }
  // Every fixture copied into tests/golden/x12 is listed.
  for (const auto& entry : fs::recursive_directory_iterator(kDir)) {
    if (entry.path().extension() == ".edi") {
      EXPECT_TRUE(listed.count(fs::relative(entry.path(), kDir).string()))
          << entry.path() << " has no line in expected.txt";
    }
  }
  EXPECT_EQ(files, 23);
  EXPECT_EQ(round_trips, 22);
}

TEST(X12Test, DelimitersComeFromIsa) {
  X12Document doc = ParseX12(ReadFile(kDir / "staedi/extraDelimiter997.edi"));
  ASSERT_TRUE(doc.ok()) << Describe(doc.errors);
  const X12Delimiters& d = doc.interchanges[0].delimiters;
  EXPECT_EQ(d.element, '*');
  EXPECT_EQ(d.component, ':');
  EXPECT_EQ(d.repetition, '^');  // ISA11 in 00501
  EXPECT_EQ(d.segment, '~');
  // Repetitions and composites stay inside their element.
  const X12Segment& ak3 = doc.interchanges[0].groups[0].sets[0].body[2];
  EXPECT_EQ(ak3.id, "AK3");
  EXPECT_EQ(ak3.Element(2), "AK302-R1^AK302-R2^AK302-R3-COMP1:AK302-R3-COMP2");

  X12Document nl = ParseX12(ReadFile(kDir / "EdiEngine/940.OK.edi"));
  ASSERT_TRUE(nl.ok()) << Describe(nl.errors);
  EXPECT_EQ(nl.interchanges[0].delimiters.segment, '\n');
  EXPECT_EQ(nl.interchanges[0].delimiters.component, '>');
  EXPECT_EQ(nl.interchanges[0].delimiters.repetition, 0);  // 00400: ISA11 is "U"
  EXPECT_EQ(nl.interchanges[0].groups[0].sets[0].Code(), "940");
}

TEST(X12Test, SeveralInterchangesAndServiceSegments) {
  X12Document multi = ParseX12(ReadFile(kDir / "staedi/simple997-multiple-interchanges.edi"));
  ASSERT_TRUE(multi.ok()) << Describe(multi.errors);
  EXPECT_EQ(multi.interchanges.size(), 3u);
  X12Document isb = ParseX12(ReadFile(kDir / "staedi/optionalInterchangeServices.edi"));
  ASSERT_TRUE(isb.ok()) << Describe(isb.errors);
  ASSERT_EQ(isb.interchanges[0].service.size(), 2u);
  EXPECT_EQ(isb.interchanges[0].service[0].id, "ISB");
}

TEST(X12Test, ErrorsNameSegmentElementAndByte) {
  std::string input = ReadFile(kDir / "EdiEngine/ControlNumbersMismatch.edi");
  X12Document doc = ParseX12(input);
  ASSERT_EQ(doc.errors.size(), 3u) << Describe(doc.errors);
  const X12Error& se = doc.errors[0];
  EXPECT_EQ(se.segment_id, "SE");
  EXPECT_EQ(se.element, 2);
  EXPECT_EQ(input.substr(se.offset, 3), "SE*");
  EXPECT_NE(se.ToString().find("segment " + std::to_string(se.segment) + " (SE) element 2"),
            std::string::npos)
      << se.ToString();

  // A broken ISA: wrong width of ISA06.
  std::string bad = ReadFile(kDir / "x12-types/005010_846.edi");
  bad.erase(bad.find("SENDER"), 1);
  X12Document b = ParseX12(bad);
  ASSERT_FALSE(b.readable);
  EXPECT_EQ(b.errors[0].segment, 1);
  EXPECT_EQ(b.errors[0].element, 6);

  // A segment between sets and one with a bad id.
  std::string stray = ReadFile(kDir / "x12-types/005010_846.edi");
  stray.insert(stray.find("GE*"), "N1*XX~bad id~");
  X12Document s = ParseX12(stray);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.errors[0].segment_id, "N1");
  EXPECT_EQ(s.errors[1].message.find("is not a segment id"), 0u);

  // Truncated inside the interchange.
  X12Document cut = ParseX12(bad.substr(0, 40));
  EXPECT_FALSE(cut.readable);
  EXPECT_FALSE(ParseX12("").readable);
}

TEST(X12Test, Builds997AcceptingAndRejecting) {
  X12Document ok = ParseX12(ReadFile(kDir / "EdiEngine/940.OK.edi"));
  ASSERT_TRUE(ok.ok());
  X12Interchange ack = Build997(ok.interchanges[0], ok.errors, "000000042", "42", "261128", "1015");
  std::string text = SerializeX12(ack);
  X12Document parsed = ParseX12(text);
  ASSERT_TRUE(parsed.ok()) << Describe(parsed.errors) << text;
  const X12Interchange& a = parsed.interchanges[0];
  // Sender and receiver swapped.
  EXPECT_EQ(a.isa.Element(6), ok.interchanges[0].isa.Element(8));
  EXPECT_EQ(a.isa.Element(8), ok.interchanges[0].isa.Element(6));
  EXPECT_EQ(a.isa.Element(13), "000000042");
  const X12Transaction& t = a.groups[0].sets[0];
  EXPECT_EQ(t.Code(), "997");
  EXPECT_EQ(t.body[0].id, "AK1");
  EXPECT_EQ(t.body[0].Element(1), "OW");
  EXPECT_EQ(t.body[0].Element(2), "3317");
  EXPECT_EQ(t.body[1].id, "AK2");
  EXPECT_EQ(t.body[2].Element(1), "A");
  EXPECT_EQ(t.body.back().id, "AK9");
  EXPECT_EQ(t.body.back().Element(1), "A");

  X12Document bad = ParseX12(ReadFile(kDir / "EdiEngine/940_Failed_SE01.edi"));
  X12Interchange nak = Build997(bad.interchanges[0], bad.errors, "43", "43", "261128", "1015");
  X12Document nparsed = ParseX12(SerializeX12(nak));
  ASSERT_TRUE(nparsed.ok()) << Describe(nparsed.errors);
  const auto& body = nparsed.interchanges[0].groups[0].sets[0].body;
  EXPECT_EQ(body[2].id, "AK5");
  EXPECT_EQ(body[2].Element(1), "R");
  EXPECT_EQ(body[2].Element(2), "4");  // segment count
  EXPECT_EQ(body.back().Element(1), "R");
}

TEST(X12Test, BuilderRefusesOrReplacesDelimitersInValues) {
  X12Delimiters d;
  d.repetition = '^';
  X12Builder refuse(d, {"ZZ", "CROSSDOCK"}, {"ZZ", "TPLEAST"}, "00501");
  refuse.StartGroup("OW", "CROSSDOCK", "TPLEAST", "7", "005010", "20261128", "1015");
  refuse.StartSet("940", "0001");
  refuse.Add("N1", {"ST", "ACME*CORP~"});
  refuse.Add("N3", {"1 MAIN ST"});
  X12Interchange x = refuse.Finish("7", "261128", "1015", true);
  ASSERT_EQ(refuse.errors().size(), 1u);
  EXPECT_NE(refuse.errors()[0].find("N102"), std::string::npos) << refuse.errors()[0];

  X12Builder replace(d, {"ZZ", "CROSSDOCK"}, {"ZZ", "TPLEAST"}, "00501", ' ');
  replace.StartGroup("OW", "CROSSDOCK", "TPLEAST", "8", "005010", "20261128", "1015");
  replace.StartSet("940", "0001");
  replace.Add("N1", {"ST", "ACME*CORP~^:"});
  X12Interchange y = replace.Finish("8", "261128", "1015", true);
  EXPECT_TRUE(replace.errors().empty());
  // Every outbound interchange re-parses cleanly (S8), with counts and controls right.
  X12Document doc = ParseX12(SerializeX12(y));
  ASSERT_TRUE(doc.ok()) << Describe(doc.errors);
  EXPECT_EQ(doc.interchanges[0].groups[0].sets[0].body[0].Element(2), "ACME CORP   ");
  EXPECT_EQ(doc.interchanges[0].isa.Element(11), "^");
}

}  // namespace
}  // namespace crossdock
