// "使用我的位置": fill the form's lat/lng from the browser's geolocation (HTTPS or localhost only).
(function () {
  if (!("geolocation" in navigator)) return;
  document.querySelectorAll("[data-locate-block]").forEach(function (block) {
    var button = block.querySelector("[data-locate]");
    var status = block.querySelector("[data-locate-status]");
    var form = block.closest("form");
    if (!button || !form) return;
    block.hidden = false;
    var say = block.dataset;  // the words, translated by the page (data-msg-*)
    button.addEventListener("click", function () {
      status.textContent = say.msgBusy || "正在定位…";
      button.disabled = true;
      navigator.geolocation.getCurrentPosition(
        function (pos) {
          var lat = pos.coords.latitude.toFixed(6);
          var lng = pos.coords.longitude.toFixed(6);
          form.querySelector("[name=lat]").value = lat;
          form.querySelector("[name=lng]").value = lng;
          var system = form.querySelector("[name=coord_system]");
          if (system) system.value = "wgs84"; // the device's position is GPS (WGS-84)
          status.textContent = (say.msgDone || "已定位：{lat}, {lng}").replace("{lat}", lat).replace("{lng}", lng);
          button.disabled = false;
        },
        function (err) {
          status.textContent = err.code === 1
            ? say.msgDenied || "未允许定位，请直接选择区域"
            : say.msgFailed || "无法获取位置，请稍后重试或直接选择区域";
          button.disabled = false;
        },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
      );
    });
  });
})();
