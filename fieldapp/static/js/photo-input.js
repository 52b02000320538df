/* Photos are downscaled on the phone (long side <= 1600 px, JPEG) before they are queued, so
   an upload on mobile data stays small. */
(function () {
  "use strict";
  const MAX_SIDE = 1600;
  const QUALITY = 0.82;

  function decode(file) {
    if (window.createImageBitmap) {
      return createImageBitmap(file, { imageOrientation: "from-image" }).catch(() => decodeWithImg(file));
    }
    return decodeWithImg(file);
  }

  function decodeWithImg(file) {
    return new Promise((resolve, reject) => {
      const url = URL.createObjectURL(file);
      const img = new Image();
      img.onload = () => { URL.revokeObjectURL(url); resolve(img); };
      img.onerror = () => { URL.revokeObjectURL(url); reject(new Error("No se pudo leer la imagen.")); };
      img.src = url;
    });
  }

  function downscale(file) {
    return decode(file).then((image) => {
      const scale = Math.min(1, MAX_SIDE / Math.max(image.width, image.height));
      const canvas = document.createElement("canvas");
      canvas.width = Math.round(image.width * scale);
      canvas.height = Math.round(image.height * scale);
      canvas.getContext("2d").drawImage(image, 0, 0, canvas.width, canvas.height);
      if (image.close) image.close();
      return canvas.toDataURL("image/jpeg", QUALITY);
    });
  }

  window.FieldPhoto = { downscale: downscale };
})();
