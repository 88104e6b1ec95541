//===- Image.cpp - JPEG/PNG decoding and bilinear resizing ----------------===//
//
// libjpeg reports errors through a callback that must not return; we
// longjmp back to decodeJpeg, whose frame holds only trivially destructible
// locals, so nothing is skipped by the jump. The message is turned into a
// DataError there, outside the jump's reach.
//
//===----------------------------------------------------------------------===//

#include "netc/data/Image.h"
#include "netc/data/Dataset.h"

#include <algorithm>
#include <cmath>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <jerror.h>
#include <jpeglib.h>
#include <png.h>

// Programs that `netc build` links get the runtime archive plus a fixed list
// of system libraries; libjpeg and libpng are referenced weakly so such a
// program still links without them and only image loading reports their
// absence. Builds that link them (CMake targets, and `netc build` once its
// link line has -ljpeg -lpng) decode normally.
#pragma weak jpeg_std_error
#pragma weak jpeg_CreateDecompress
#pragma weak jpeg_mem_src
#pragma weak jpeg_read_header
#pragma weak jpeg_start_decompress
#pragma weak jpeg_read_scanlines
#pragma weak jpeg_finish_decompress
#pragma weak jpeg_destroy_decompress
#pragma weak png_image_begin_read_from_memory
#pragma weak png_image_finish_read
#pragma weak png_image_free

namespace netc::rt {

namespace {

bool haveJpeg() {
  return &jpeg_std_error && &jpeg_CreateDecompress && &jpeg_mem_src &&
         &jpeg_read_header && &jpeg_start_decompress && &jpeg_read_scanlines &&
         &jpeg_finish_decompress && &jpeg_destroy_decompress;
}

bool havePng() {
  return &png_image_begin_read_from_memory && &png_image_finish_read &&
         &png_image_free;
}

struct JpegError {
  jpeg_error_mgr mgr;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void onJpegError(j_common_ptr info) {
  auto *err = reinterpret_cast<JpegError *>(info->err);
  (*info->err->format_message)(info, err->message);
  std::longjmp(err->jump, 1);
}

// libjpeg only warns about a truncated file and pads the image with grey,
// which would silently train on wrong pixels; that warning is an error here.
// Other warnings (stray bytes between markers) are harmless and ignored.
void onJpegWarning(j_common_ptr info, int level) {
  if (level < 0 && info->err->msg_code == JWRN_JPEG_EOF)
    onJpegError(info);
}

// Returns false with `message` set on failure. Kept free of objects with
// destructors between setjmp and the last libjpeg call.
bool decodeJpeg(const std::vector<uint8_t> &bytes, RgbImage &image,
                char *message) {
  jpeg_decompress_struct info;
  JpegError err;
  info.err = jpeg_std_error(&err.mgr);
  err.mgr.error_exit = onJpegError;
  err.mgr.emit_message = onJpegWarning;
  err.message[0] = '\0';
  if (setjmp(err.jump)) {
    std::strncpy(message, err.message, JMSG_LENGTH_MAX);
    jpeg_destroy_decompress(&info);
    return false;
  }
  jpeg_create_decompress(&info);
  jpeg_mem_src(&info, bytes.data(), static_cast<unsigned long>(bytes.size()));
  jpeg_read_header(&info, TRUE);
  info.out_color_space = JCS_RGB;
  jpeg_start_decompress(&info);
  if (info.output_components != 3) {
    std::snprintf(message, JMSG_LENGTH_MAX, "unsupported JPEG colour space");
    jpeg_destroy_decompress(&info);
    return false;
  }
  image.height = info.output_height;
  image.width = info.output_width;
  image.pixels.resize(static_cast<size_t>(image.height * image.width * 3));
  while (info.output_scanline < info.output_height) {
    JSAMPROW row = image.pixels.data() +
                   static_cast<size_t>(info.output_scanline) * image.width * 3;
    jpeg_read_scanlines(&info, &row, 1);
  }
  jpeg_finish_decompress(&info);
  jpeg_destroy_decompress(&info);
  return true;
}

RgbImage decodePng(const std::vector<uint8_t> &bytes, const std::string &path) {
  png_image png;
  std::memset(&png, 0, sizeof png);
  png.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&png, bytes.data(), bytes.size()))
    throw DataError(path, std::string("corrupt PNG (") + png.message + ")");
  png.format = PNG_FORMAT_RGB;
  RgbImage image;
  image.height = png.height;
  image.width = png.width;
  image.pixels.resize(PNG_IMAGE_SIZE(png));
  // A black background for transparent pixels, as PIL's convert("RGB").
  png_color black{0, 0, 0};
  if (!png_image_finish_read(&png, &black, image.pixels.data(), 0, nullptr)) {
    const std::string message = png.message;
    png_image_free(&png);
    throw DataError(path, "corrupt PNG (" + message + ")");
  }
  return image;
}

} // namespace

RgbImage decodeImage(const std::vector<uint8_t> &bytes,
                     const std::string &path) {
  static const uint8_t pngMagic[8] = {0x89, 'P',  'N', 'G',
                                      '\r', '\n', 26,  '\n'};
  if (bytes.size() >= 8 && std::memcmp(bytes.data(), pngMagic, 8) == 0) {
    if (!havePng())
      throw DataError(path, "this program was linked without libpng (-lpng)");
    return decodePng(bytes, path);
  }
  if (bytes.size() >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 &&
      bytes[2] == 0xFF) {
    if (!haveJpeg())
      throw DataError(path, "this program was linked without libjpeg (-ljpeg)");
    RgbImage image;
    char message[JMSG_LENGTH_MAX];
    if (!decodeJpeg(bytes, image, message))
      throw DataError(path, std::string("corrupt JPEG (") + message + ")");
    return image;
  }
  throw DataError(path,
                  bytes.empty() ? "empty file" : "not a JPEG or PNG image");
}

RgbImage readImage(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw DataError(path, std::strerror(errno));
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  return decodeImage(bytes, path);
}

void resizeBilinear(const RgbImage &image, int64_t height, int64_t width,
                    float *out) {
  const uint8_t *src = image.pixels.data();
  if (height == image.height && width == image.width) {
    for (int64_t i = 0; i < height * width * 3; ++i)
      out[i] = src[i];
    return;
  }
  // tf.image.resize(method="bilinear"): source coordinate of output pixel i
  // is (i + 0.5) * in / out - 0.5, clamped at the borders.
  auto axis = [](int64_t in, int64_t outSize, std::vector<int64_t> &lo,
                 std::vector<int64_t> &hi, std::vector<float> &frac) {
    const double scale = static_cast<double>(in) / outSize;
    for (int64_t i = 0; i < outSize; ++i) {
      const double s = std::max(0.0, (i + 0.5) * scale - 0.5);
      const int64_t l = std::min<int64_t>(static_cast<int64_t>(s), in - 1);
      lo.push_back(l);
      hi.push_back(std::min(l + 1, in - 1));
      frac.push_back(static_cast<float>(s - l));
    }
  };
  std::vector<int64_t> y0, y1, x0, x1;
  std::vector<float> fy, fx;
  axis(image.height, height, y0, y1, fy);
  axis(image.width, width, x0, x1, fx);
  const int64_t stride = image.width * 3;
  for (int64_t y = 0; y < height; ++y)
    for (int64_t x = 0; x < width; ++x)
      for (int64_t c = 0; c < 3; ++c) {
        const float a = src[y0[y] * stride + x0[x] * 3 + c];
        const float b = src[y0[y] * stride + x1[x] * 3 + c];
        const float d = src[y1[y] * stride + x0[x] * 3 + c];
        const float e = src[y1[y] * stride + x1[x] * 3 + c];
        const float top = a + (b - a) * fx[x];
        const float bottom = d + (e - d) * fx[x];
        out[(y * width + x) * 3 + c] = top + (bottom - top) * fy[y];
      }
}

} // namespace netc::rt
