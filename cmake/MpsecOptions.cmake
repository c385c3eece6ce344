# Compile options shared by every mpsec target, gathered in one interface target.
add_library(mpsec_options INTERFACE)
target_compile_options(mpsec_options INTERFACE -Wall -Wextra -Werror -Wshadow
                                               -Wnon-virtual-dtor -Wcast-align)
# Only the EVP interfaces of OpenSSL 3: deprecated low-level calls do not compile.
target_compile_definitions(mpsec_options INTERFACE OPENSSL_API_COMPAT=30000 OPENSSL_NO_DEPRECATED)

if(MPSEC_SANITIZE)
  list(JOIN MPSEC_SANITIZE "," _mpsec_san)
  target_compile_options(mpsec_options INTERFACE -fsanitize=${_mpsec_san}
                                                 -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_link_options(mpsec_options INTERFACE -fsanitize=${_mpsec_san})
endif()

if(MPSEC_FUZZ)
  target_compile_options(mpsec_options INTERFACE -fsanitize=fuzzer-no-link,address,undefined
                                                 -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_link_options(mpsec_options INTERFACE -fsanitize=address,undefined)
endif()

# mpsec_module(<name> SOURCES ... DEPS ...): one library target per folder under src/.
function(mpsec_module name)
  cmake_parse_arguments(M "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(mpsec_${name} STATIC ${M_SOURCES})
  add_library(mpsec::${name} ALIAS mpsec_${name})
  target_include_directories(mpsec_${name} PUBLIC ${PROJECT_SOURCE_DIR}/include
                                                  ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(mpsec_${name} PUBLIC mpsec_options ${M_DEPS} PRIVATE ${M_PRIVATE_DEPS})
endfunction()
