# Writes OUTPUT from `BIN --man` (the man page rendered from the --help text), whole or
# not at all: a failing binary leaves no half-written page behind.
get_filename_component(dir ${OUTPUT} DIRECTORY)
file(MAKE_DIRECTORY ${dir})
execute_process(COMMAND ${BIN} --man OUTPUT_FILE ${OUTPUT}.tmp RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  file(REMOVE ${OUTPUT}.tmp)
  message(FATAL_ERROR "${BIN} --man failed (${rc})")
endif()
file(RENAME ${OUTPUT}.tmp ${OUTPUT})
