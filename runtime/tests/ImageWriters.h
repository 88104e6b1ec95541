// Writers of small JPEG and PNG files for the image loader tests, through
// the same libraries the loader reads with.
#ifndef NETC_RUNTIME_TESTS_IMAGEWRITERS_H
#define NETC_RUNTIME_TESTS_IMAGEWRITERS_H

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <jpeglib.h>
#include <png.h>
#include <stdexcept>
#include <vector>

namespace netc::test {

/// RGB (channels = 3) or grayscale (1) pixels, row-major.
inline std::vector<uint8_t> encodeJpeg(const std::vector<uint8_t> &pixels,
                                       int height, int width, int channels,
                                       int quality = 95) {
  jpeg_compress_struct info;
  jpeg_error_mgr err;
  info.err = jpeg_std_error(&err);
  jpeg_create_compress(&info);
  unsigned char *buffer = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&info, &buffer, &size);
  info.image_width = width;
  info.image_height = height;
  info.input_components = channels;
  info.in_color_space = channels == 3 ? JCS_RGB : JCS_GRAYSCALE;
  jpeg_set_defaults(&info);
  jpeg_set_quality(&info, quality, TRUE);
  jpeg_start_compress(&info, TRUE);
  while (info.next_scanline < info.image_height) {
    JSAMPROW row = const_cast<uint8_t *>(pixels.data()) +
                   info.next_scanline * width * channels;
    jpeg_write_scanlines(&info, &row, 1);
  }
  jpeg_finish_compress(&info);
  jpeg_destroy_compress(&info);
  std::vector<uint8_t> out(buffer, buffer + size);
  std::free(buffer);
  return out;
}

/// channels: 1 gray, 3 RGB, 4 RGBA.
inline std::vector<uint8_t> encodePng(const std::vector<uint8_t> &pixels,
                                      int height, int width, int channels) {
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  image.width = width;
  image.height = height;
  image.format = channels == 1   ? PNG_FORMAT_GRAY
                 : channels == 3 ? PNG_FORMAT_RGB
                                 : PNG_FORMAT_RGBA;
  png_alloc_size_t size = 0;
  if (!png_image_write_to_memory(&image, nullptr, &size, 0, pixels.data(), 0,
                                 nullptr))
    throw std::runtime_error("png size");
  std::vector<uint8_t> out(size);
  if (!png_image_write_to_memory(&image, out.data(), &size, 0, pixels.data(), 0,
                                 nullptr))
    throw std::runtime_error("png write");
  out.resize(size);
  return out;
}

} // namespace netc::test

#endif
