# Turns a text file into a C++ source defining `const char* const NAME[]` (pieces of the text,
# each short enough for every compiler's string-literal limit) and `const int NAME_count`.
# Usage: cmake -DIN=file -DOUT=file.cc -DNAME=kName -P embed_text.cmake
file(READ "${IN}" CONTENT)
string(LENGTH "${CONTENT}" LEN)
set(PIECES "")
set(POS 0)
while(POS LESS LEN)
  string(SUBSTRING "${CONTENT}" ${POS} 30000 PIECE)
  string(APPEND PIECES "    R\"CROSSDOCK_EMBED(${PIECE})CROSSDOCK_EMBED\",\n")
  math(EXPR POS "${POS} + 30000")
endwhile()
file(WRITE "${OUT}" "// Generated from ${IN} by cmake/embed_text.cmake — do not edit.\n"
                    "namespace crossdock {\n"
                    "extern const char* const ${NAME}[];\nextern const int ${NAME}_count;\n"
                    "const char* const ${NAME}[] = {\n${PIECES}};\n"
                    "const int ${NAME}_count = sizeof(${NAME}) / sizeof(${NAME}[0]);\n}\n")
