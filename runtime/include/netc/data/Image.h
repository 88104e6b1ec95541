//===- Image.h - Decoding JPEG/PNG files and bilinear resizing -*- C++ -*-===//
//
// image_folder (and cifar10 given its JPEG class-folder tree) decode files
// with libjpeg(-turbo) and libpng into 8-bit RGB, then resize to the network
// input with TensorFlow's bilinear rule (half-pixel centres, no antialias),
// which is what Keras' image_dataset_from_directory does.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_DATA_IMAGE_H
#define NETC_DATA_IMAGE_H

#include <cstdint>
#include <string>
#include <vector>

namespace netc::rt {

/// An 8-bit RGB image, row-major HWC.
struct RgbImage {
  int64_t height = 0, width = 0;
  std::vector<uint8_t> pixels; // height * width * 3
};

/// Decodes a JPEG or PNG held in `bytes` (the format is told by its magic
/// bytes, not the file name). Grayscale, palette, 16-bit and alpha images are
/// converted to 8-bit RGB (alpha dropped). Throws DataError naming `path` when
/// the data is not a JPEG/PNG or is truncated or corrupt.
RgbImage decodeImage(const std::vector<uint8_t> &bytes,
                     const std::string &path);

/// Reads and decodes `path`.
RgbImage readImage(const std::string &path);

/// Writes `height * width * 3` floats (HWC) into `out`: `image` resized with
/// half-pixel-centre bilinear interpolation. Same size copies exactly.
void resizeBilinear(const RgbImage &image, int64_t height, int64_t width,
                    float *out);

} // namespace netc::rt

#endif // NETC_DATA_IMAGE_H
