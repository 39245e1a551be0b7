// lazy_openssl.cpp: OpenSSL loaded on first use instead of at start-up (Linux builds with
// ORSCRIPT_LAZY_OPENSSL, the default there; see CMakeLists.txt and bench/README.md "Start-up").
//
// Owns: one definition of every OpenSSL function orscript calls (the TLS client in
// host/net, the simulator's TLS server and certificate in sim/) and of every one that
// Boost.Asio's SSL headers call on OpenSSL 3 (listed from their preprocessed text, since
// which inline Asio functions a compiler keeps differs between g++ and clang), each
// forwarding to the real function in libssl.so.3 / libcrypto.so.3, which are dlopen'ed the
// first time any of them is called. The executable is therefore not linked against OpenSSL, and a run that
// never speaks TLS or hashes (`orscript -e ''`, a plain-http base URL) never maps it: the
// dynamic loader's work for libcrypto and libssl was about half of orscript's start-up.
// Each signature is checked by the compiler against OpenSSL's own declarations (a C
// function cannot be overloaded, so a mismatch does not compile), and a call added
// elsewhere without a line here fails to link ("undefined reference to SSL_..."): add an
// ORSCRIPT_FORWARD line below. If the library cannot be loaded, the first call throws
// orscript::Error (kind tls) naming the library and the package to install.
#if defined(ORSCRIPT_LAZY_OPENSSL)

#include <dlfcn.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cstdarg>
#include <cstring>
#include <string>

#include "host/core/error.hpp"

namespace {

// The libssl handle (libcrypto comes with it as its dependency), opened once.
struct Library {
  void* handle = nullptr;
  std::string error;
};

const Library& library() {
  static const Library lib = [] {
    Library l;
    l.handle = dlopen(ORSCRIPT_LIBSSL_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!l.handle) {
      const char* why = dlerror();
      l.error = why ? why : "unknown error";
    }
    return l;
  }();
  return lib;
}

// The real function `name` in libssl or libcrypto; throws if OpenSSL cannot be loaded.
void* symbol(const char* name) {
  const Library& lib = library();
  if (!lib.handle) {
    orscript::throw_error(orscript::ErrorKind::tls,
                          "cannot load OpenSSL for TLS (" + lib.error +
                              "); install OpenSSL 3 (Debian: apt-get install libssl3)");
  }
  void* fn = dlsym(lib.handle, name);
  if (!fn) {
    orscript::throw_error(orscript::ErrorKind::tls, std::string("the OpenSSL found has no ") + name +
                                                        "; install OpenSSL 3 (Debian: apt-get install libssl3)");
  }
  return fn;
}

}  // namespace

// Defines OpenSSL's `name` as a call through the real function, looked up once.
#define ORSCRIPT_FORWARD(ret, name, params, args)                                  \
  extern "C" ret name params {                                                     \
    static const auto real = reinterpret_cast<decltype(&::name)>(symbol(#name));   \
    return real args;                                                              \
  }

ORSCRIPT_FORWARD(long, BIO_ctrl, (BIO *a0, int a1, long a2, void *a3), (a0, a1, a2, a3))
ORSCRIPT_FORWARD(size_t, BIO_ctrl_pending, (BIO *a0), (a0))
ORSCRIPT_FORWARD(int, BIO_free, (BIO *a0), (a0))
ORSCRIPT_FORWARD(void, BIO_free_all, (BIO *a0), (a0))
ORSCRIPT_FORWARD(BIO *, BIO_new, (const BIO_METHOD *a0), (a0))
ORSCRIPT_FORWARD(int, BIO_new_bio_pair, (BIO **a0, size_t a1, BIO **a2, size_t a3), (a0, a1, a2, a3))
ORSCRIPT_FORWARD(BIO *, BIO_new_file, (const char *a0, const char *a1), (a0, a1))
ORSCRIPT_FORWARD(BIO *, BIO_new_mem_buf, (const void *a0, int a1), (a0, a1))
ORSCRIPT_FORWARD(uint64_t, BIO_number_read, (BIO *a0), (a0))
ORSCRIPT_FORWARD(int, BIO_read, (BIO *a0, void *a1, int a2), (a0, a1, a2))
ORSCRIPT_FORWARD(const BIO_METHOD *, BIO_s_mem, (), ())
ORSCRIPT_FORWARD(int, BIO_write, (BIO *a0, const void *a1, int a2), (a0, a1, a2))
ORSCRIPT_FORWARD(BIGNUM *, BN_bin2bn, (const unsigned char *a0, int a1, BIGNUM *a2), (a0, a1, a2))
ORSCRIPT_FORWARD(void, BN_free, (BIGNUM *a0), (a0))
ORSCRIPT_FORWARD(ASN1_INTEGER *, BN_to_ASN1_INTEGER, (const BIGNUM *a0, ASN1_INTEGER *a1), (a0, a1))
ORSCRIPT_FORWARD(void, CRYPTO_free, (void *a0, const char *a1, int a2), (a0, a1, a2))
ORSCRIPT_FORWARD(void, ERR_clear_error, (), ())
ORSCRIPT_FORWARD(unsigned long, ERR_get_error, (), ())
ORSCRIPT_FORWARD(const char *, ERR_lib_error_string, (unsigned long a0), (a0))
ORSCRIPT_FORWARD(unsigned long, ERR_peek_error, (), ())
ORSCRIPT_FORWARD(unsigned long, ERR_peek_last_error, (), ())
ORSCRIPT_FORWARD(const char *, ERR_reason_error_string, (unsigned long a0), (a0))
ORSCRIPT_FORWARD(int, EVP_Digest, (const void *a0, size_t a1, unsigned char *a2, unsigned int *a3, const EVP_MD *a4, ENGINE *a5), (a0, a1, a2, a3, a4, a5))
ORSCRIPT_FORWARD(void, EVP_PKEY_free, (EVP_PKEY *a0), (a0))
ORSCRIPT_FORWARD(int, EVP_PKEY_is_a, (const EVP_PKEY *a0, const char *a1), (a0, a1))
ORSCRIPT_FORWARD(const EVP_MD *, EVP_sha256, (), ())
ORSCRIPT_FORWARD(EVP_PKEY *, PEM_read_bio_Parameters, (BIO *a0, EVP_PKEY **a1), (a0, a1))
ORSCRIPT_FORWARD(EVP_PKEY *, PEM_read_bio_PrivateKey, (BIO *a0, EVP_PKEY **a1, pem_password_cb *a2, void *a3), (a0, a1, a2, a3))
ORSCRIPT_FORWARD(X509 *, PEM_read_bio_X509, (BIO *a0, X509 **a1, pem_password_cb *a2, void *a3), (a0, a1, a2, a3))
ORSCRIPT_FORWARD(X509 *, PEM_read_bio_X509_AUX, (BIO *a0, X509 **a1, pem_password_cb *a2, void *a3), (a0, a1, a2, a3))
ORSCRIPT_FORWARD(int, PEM_write_bio_PrivateKey, (BIO *a0, const EVP_PKEY *a1, const EVP_CIPHER *a2, const unsigned char *a3, int a4, pem_password_cb *a5, void *a6), (a0, a1, a2, a3, a4, a5, a6))
ORSCRIPT_FORWARD(int, PEM_write_bio_X509, (BIO *a0, const X509 *a1), (a0, a1))
ORSCRIPT_FORWARD(int, RAND_bytes, (unsigned char *a0, int a1), (a0, a1))
ORSCRIPT_FORWARD(uint64_t, SSL_CTX_clear_options, (SSL_CTX *a0, uint64_t a1), (a0, a1))
ORSCRIPT_FORWARD(long, SSL_CTX_ctrl, (SSL_CTX *a0, int a1, long a2, void *a3), (a0, a1, a2, a3))
ORSCRIPT_FORWARD(void, SSL_CTX_free, (SSL_CTX *a0), (a0))
ORSCRIPT_FORWARD(X509_STORE *, SSL_CTX_get_cert_store, (const SSL_CTX *a0), (a0))
ORSCRIPT_FORWARD(pem_password_cb *, SSL_CTX_get_default_passwd_cb, (SSL_CTX *a0), (a0))
ORSCRIPT_FORWARD(void *, SSL_CTX_get_default_passwd_cb_userdata, (SSL_CTX *a0), (a0))
ORSCRIPT_FORWARD(void *, SSL_CTX_get_ex_data, (const SSL_CTX *a0, int a1), (a0, a1))
ORSCRIPT_FORWARD(SSL_verify_cb, SSL_CTX_get_verify_callback, (const SSL_CTX *a0), (a0))
ORSCRIPT_FORWARD(int, SSL_CTX_get_verify_mode, (const SSL_CTX *a0), (a0))
ORSCRIPT_FORWARD(int, SSL_CTX_load_verify_locations, (SSL_CTX *a0, const char *a1, const char *a2), (a0, a1, a2))
ORSCRIPT_FORWARD(SSL_CTX *, SSL_CTX_new, (const SSL_METHOD *a0), (a0))
ORSCRIPT_FORWARD(int, SSL_CTX_set0_tmp_dh_pkey, (SSL_CTX *a0, EVP_PKEY *a1), (a0, a1))
ORSCRIPT_FORWARD(void, SSL_CTX_set_default_passwd_cb, (SSL_CTX *a0, pem_password_cb *a1), (a0, a1))
ORSCRIPT_FORWARD(void, SSL_CTX_set_default_passwd_cb_userdata, (SSL_CTX *a0, void *a1), (a0, a1))
ORSCRIPT_FORWARD(int, SSL_CTX_set_default_verify_paths, (SSL_CTX *a0), (a0))
ORSCRIPT_FORWARD(int, SSL_CTX_set_ex_data, (SSL_CTX *a0, int a1, void *a2), (a0, a1, a2))
ORSCRIPT_FORWARD(uint64_t, SSL_CTX_set_options, (SSL_CTX *a0, uint64_t a1), (a0, a1))
ORSCRIPT_FORWARD(void, SSL_CTX_set_verify, (SSL_CTX *a0, int a1, SSL_verify_cb a2), (a0, a1, a2))
ORSCRIPT_FORWARD(void, SSL_CTX_set_verify_depth, (SSL_CTX *a0, int a1), (a0, a1))
ORSCRIPT_FORWARD(int, SSL_CTX_use_PrivateKey, (SSL_CTX *a0, EVP_PKEY *a1), (a0, a1))
ORSCRIPT_FORWARD(int, SSL_CTX_use_PrivateKey_file, (SSL_CTX *a0, const char *a1, int a2), (a0, a1, a2))
ORSCRIPT_FORWARD(int, SSL_CTX_use_certificate, (SSL_CTX *a0, X509 *a1), (a0, a1))
ORSCRIPT_FORWARD(int, SSL_CTX_use_certificate_ASN1, (SSL_CTX *a0, int a1, const unsigned char *a2), (a0, a1, a2))
ORSCRIPT_FORWARD(int, SSL_CTX_use_certificate_chain_file, (SSL_CTX *a0, const char *a1), (a0, a1))
ORSCRIPT_FORWARD(int, SSL_CTX_use_certificate_file, (SSL_CTX *a0, const char *a1, int a2), (a0, a1, a2))
ORSCRIPT_FORWARD(int, SSL_accept, (SSL *a0), (a0))
ORSCRIPT_FORWARD(int, SSL_connect, (SSL *a0), (a0))
ORSCRIPT_FORWARD(long, SSL_ctrl, (SSL *a0, int a1, long a2, void *a3), (a0, a1, a2, a3))
ORSCRIPT_FORWARD(void, SSL_free, (SSL *a0), (a0))
ORSCRIPT_FORWARD(X509_VERIFY_PARAM *, SSL_get0_param, (SSL *a0), (a0))
ORSCRIPT_FORWARD(SSL_CTX *, SSL_get_SSL_CTX, (const SSL *a0), (a0))
ORSCRIPT_FORWARD(int, SSL_get_error, (const SSL *a0, int a1), (a0, a1))
ORSCRIPT_FORWARD(void *, SSL_get_ex_data, (const SSL *a0, int a1), (a0, a1))
ORSCRIPT_FORWARD(int, SSL_get_ex_data_X509_STORE_CTX_idx, (), ())
ORSCRIPT_FORWARD(BIO *, SSL_get_rbio, (const SSL *a0), (a0))
ORSCRIPT_FORWARD(int, SSL_get_shutdown, (const SSL *a0), (a0))
ORSCRIPT_FORWARD(SSL_verify_cb, SSL_get_verify_callback, (const SSL *a0), (a0))
ORSCRIPT_FORWARD(int, SSL_get_verify_mode, (const SSL *a0), (a0))
ORSCRIPT_FORWARD(long, SSL_get_verify_result, (const SSL *a0), (a0))
ORSCRIPT_FORWARD(SSL *, SSL_new, (SSL_CTX *a0), (a0))
ORSCRIPT_FORWARD(int, SSL_read, (SSL *a0, void *a1, int a2), (a0, a1, a2))
ORSCRIPT_FORWARD(int, SSL_set1_host, (SSL *a0, const char *a1), (a0, a1))
ORSCRIPT_FORWARD(void, SSL_set_bio, (SSL *a0, BIO *a1, BIO *a2), (a0, a1, a2))
ORSCRIPT_FORWARD(int, SSL_set_ex_data, (SSL *a0, int a1, void *a2), (a0, a1, a2))
ORSCRIPT_FORWARD(void, SSL_set_verify, (SSL *a0, int a1, SSL_verify_cb a2), (a0, a1, a2))
ORSCRIPT_FORWARD(void, SSL_set_verify_depth, (SSL *a0, int a1), (a0, a1))
ORSCRIPT_FORWARD(int, SSL_shutdown, (SSL *a0), (a0))
ORSCRIPT_FORWARD(int, SSL_write, (SSL *a0, const void *a1, int a2), (a0, a1, a2))
ORSCRIPT_FORWARD(const SSL_METHOD *, TLS_client_method, (), ())
ORSCRIPT_FORWARD(const SSL_METHOD *, TLS_method, (), ())
ORSCRIPT_FORWARD(const SSL_METHOD *, TLS_server_method, (), ())
ORSCRIPT_FORWARD(X509_EXTENSION *, X509V3_EXT_conf_nid, (struct lhash_st_CONF_VALUE *a0, X509V3_CTX *a1, int a2, const char *a3), (a0, a1, a2, a3))
ORSCRIPT_FORWARD(void, X509V3_set_ctx, (X509V3_CTX *a0, X509 *a1, X509 *a2, X509_REQ *a3, X509_CRL *a4, int a5), (a0, a1, a2, a3, a4, a5))
ORSCRIPT_FORWARD(void, X509_EXTENSION_free, (X509_EXTENSION *a0), (a0))
ORSCRIPT_FORWARD(int, X509_NAME_add_entry_by_txt, (X509_NAME *a0, const char *a1, int a2, const unsigned char *a3, int a4, int a5, int a6), (a0, a1, a2, a3, a4, a5, a6))
ORSCRIPT_FORWARD(X509 *, X509_STORE_CTX_get_current_cert, (const X509_STORE_CTX *a0), (a0))
ORSCRIPT_FORWARD(int, X509_STORE_CTX_get_error_depth, (const X509_STORE_CTX *a0), (a0))
ORSCRIPT_FORWARD(void *, X509_STORE_CTX_get_ex_data, (const X509_STORE_CTX *a0, int a1), (a0, a1))
ORSCRIPT_FORWARD(int, X509_STORE_add_cert, (X509_STORE *a0, X509 *a1), (a0, a1))
ORSCRIPT_FORWARD(int, X509_VERIFY_PARAM_set1_ip_asc, (X509_VERIFY_PARAM *a0, const char *a1), (a0, a1))
ORSCRIPT_FORWARD(int, X509_add_ext, (X509 *a0, X509_EXTENSION *a1, int a2), (a0, a1, a2))
ORSCRIPT_FORWARD(int, X509_check_host, (X509 *a0, const char *a1, size_t a2, unsigned int a3, char **a4), (a0, a1, a2, a3, a4))
ORSCRIPT_FORWARD(int, X509_check_ip_asc, (X509 *a0, const char *a1, unsigned int a2), (a0, a1, a2))
ORSCRIPT_FORWARD(void, X509_free, (X509 *a0), (a0))
ORSCRIPT_FORWARD(ASN1_INTEGER *, X509_get_serialNumber, (X509 *a0), (a0))
ORSCRIPT_FORWARD(X509_NAME *, X509_get_subject_name, (const X509 *a0), (a0))
ORSCRIPT_FORWARD(ASN1_TIME *, X509_getm_notAfter, (const X509 *a0), (a0))
ORSCRIPT_FORWARD(ASN1_TIME *, X509_getm_notBefore, (const X509 *a0), (a0))
ORSCRIPT_FORWARD(ASN1_TIME *, X509_gmtime_adj, (ASN1_TIME *a0, long a1), (a0, a1))
ORSCRIPT_FORWARD(X509 *, X509_new, (), ())
ORSCRIPT_FORWARD(int, X509_set_issuer_name, (X509 *a0, const X509_NAME *a1), (a0, a1))
ORSCRIPT_FORWARD(int, X509_set_pubkey, (X509 *a0, EVP_PKEY *a1), (a0, a1))
ORSCRIPT_FORWARD(int, X509_set_version, (X509 *a0, long a1), (a0, a1))
ORSCRIPT_FORWARD(int, X509_sign, (X509 *a0, EVP_PKEY *a1, const EVP_MD *a2), (a0, a1, a2))
ORSCRIPT_FORWARD(const char *, X509_verify_cert_error_string, (long a0), (a0))
ORSCRIPT_FORWARD(EVP_PKEY *, d2i_PrivateKey_bio, (BIO *a0, EVP_PKEY **a1), (a0, a1))

// Variadic: the key type decides what follows ("EC": a curve name, "RSA": a bit count,
// others nothing). orscript asks for "EC" (sim/tls_cert.cpp).
extern "C" EVP_PKEY* EVP_PKEY_Q_keygen(OSSL_LIB_CTX* libctx, const char* propq, const char* type, ...) {
  static const auto real = reinterpret_cast<decltype(&::EVP_PKEY_Q_keygen)>(symbol("EVP_PKEY_Q_keygen"));
  va_list ap;
  va_start(ap, type);
  EVP_PKEY* key = nullptr;
  if (type && std::strcmp(type, "EC") == 0) {
    const char* curve = va_arg(ap, const char*);
    key = real(libctx, propq, type, curve);
  } else if (type && std::strcmp(type, "RSA") == 0) {
    size_t bits = va_arg(ap, size_t);
    key = real(libctx, propq, type, bits);
  } else {
    key = real(libctx, propq, type);
  }
  va_end(ap);
  return key;
}

#endif  // ORSCRIPT_LAZY_OPENSSL
