# Turns a text file into a C++ source defining `const char NAME[]` with its content.
# Usage: cmake -DIN=file -DOUT=file.cc -DNAME=kName -P embed_text.cmake
file(READ "${IN}" CONTENT)
file(WRITE "${OUT}" "// Generated from ${IN} by cmake/embed_text.cmake — do not edit.\n"
                    "namespace crossdock {\nextern const char ${NAME}[];\n"
                    "const char ${NAME}[] = R\"CROSSDOCK_EMBED(${CONTENT})CROSSDOCK_EMBED\";\n}\n")
