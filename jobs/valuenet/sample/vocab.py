"""Vocabularies of the calibrated synthetic sample (names, places, industries).

Relation types, kinds and org types are the ones of the input contract
(DESIGN.md section 2). Everything here is used only by the sample generator to
label the synthetic registry; the report's published figures live in
``jobs/valuenet/data/report_figures.yaml``.
"""

from __future__ import annotations

KINDS = ("sample", "relation")
ORG_TYPES = (
    "enterprise",
    "investor",
    "university",
    "research_institute",
    "government",
    "alliance",
    "other",
)
RELATIONS = ("tech_cooperation", "human_capital", "investment")

# The sample's industry strings are hierarchical: "<sector> / <industry>" and,
# for manufacturing, "secondary / manufacturing / <sub-industry>".
INDUSTRY_SEP = " / "

# Industries the report does not give a share for (drawn with the residual
# share of their parent, spread evenly).
OTHER_TERTIARY = (
    "transportation, storage and postal services",
    "education",
    "health and social work",
    "public administration and social organisations",
    "culture, sports and entertainment",
    "real estate",
    "accommodation and catering",
    "water conservancy, environment and public facilities",
    "residents' services and other services",
)
OTHER_SECONDARY = ("mining",)
OTHER_MANUFACTURING = (
    "railway, ship, aerospace and other transport equipment",
    "instruments and meters",
    "pharmaceuticals",
    "chemical materials and products",
    "metal products",
    "rubber and plastic products",
    "textiles and apparel",
    "food and beverages",
)
PRIMARY = ("agriculture, forestry, animal husbandry and fishery",)

# All provincial-level divisions of mainland China (English names).
PROVINCES = (
    "Beijing", "Tianjin", "Hebei", "Shanxi", "Inner Mongolia", "Liaoning",
    "Jilin", "Heilongjiang", "Shanghai", "Jiangsu", "Zhejiang", "Anhui",
    "Fujian", "Jiangxi", "Shandong", "Henan", "Hubei", "Hunan", "Guangdong",
    "Guangxi", "Hainan", "Chongqing", "Sichuan", "Guizhou", "Yunnan", "Tibet",
    "Shaanxi", "Gansu", "Qinghai", "Ningxia", "Xinjiang",
)

# City split inside a province (weights, normalised by the model).
# Municipalities are their own city.
CITIES = {
    "Beijing": {"Beijing": 1.0},
    "Tianjin": {"Tianjin": 1.0},
    "Shanghai": {"Shanghai": 1.0},
    "Chongqing": {"Chongqing": 1.0},
    "Guangdong": {"Shenzhen": 0.62, "Guangzhou": 0.25, "Dongguan": 0.05,
                  "Foshan": 0.04, "Zhuhai": 0.04},
    "Zhejiang": {"Hangzhou": 0.86, "Ningbo": 0.07, "Wenzhou": 0.03,
                 "Jiaxing": 0.02, "Shaoxing": 0.02},
    "Jiangsu": {"Nanjing": 0.44, "Suzhou": 0.31, "Wuxi": 0.12,
                "Changzhou": 0.07, "Xuzhou": 0.06},
    "Shandong": {"Qingdao": 0.40, "Jinan": 0.38, "Yantai": 0.10,
                 "Weifang": 0.07, "Zibo": 0.05},
    "Anhui": {"Hefei": 0.88, "Wuhu": 0.07, "Bengbu": 0.05},
    "Fujian": {"Xiamen": 0.45, "Fuzhou": 0.45, "Quanzhou": 0.10},
    "Hubei": {"Wuhan": 0.87, "Xiangyang": 0.07, "Yichang": 0.06},
    "Sichuan": {"Chengdu": 0.82, "Mianyang": 0.10, "Yibin": 0.08},
    "Hunan": {"Changsha": 0.85, "Zhuzhou": 0.08, "Xiangtan": 0.07},
    "Liaoning": {"Shenyang": 0.50, "Dalian": 0.45, "Anshan": 0.05},
    "Shaanxi": {"Xi'an": 0.92, "Xianyang": 0.08},
    "Henan": {"Zhengzhou": 0.85, "Luoyang": 0.10, "Xinxiang": 0.05},
    "Guizhou": {"Guiyang": 0.90, "Zunyi": 0.10},
    "Hebei": {"Shijiazhuang": 0.50, "Langfang": 0.20, "Baoding": 0.20,
              "Tangshan": 0.10},
    "Heilongjiang": {"Harbin": 0.90, "Daqing": 0.10},
    "Jiangxi": {"Nanchang": 0.85, "Ganzhou": 0.15},
    "Yunnan": {"Kunming": 0.92, "Qujing": 0.08},
    "Shanxi": {"Taiyuan": 0.90, "Datong": 0.10},
    "Guangxi": {"Nanning": 0.75, "Liuzhou": 0.15, "Guilin": 0.10},
    "Inner Mongolia": {"Hohhot": 0.70, "Baotou": 0.30},
    "Jilin": {"Changchun": 0.80, "Jilin": 0.20},
    "Hainan": {"Haikou": 0.80, "Sanya": 0.20},
    "Gansu": {"Lanzhou": 1.0},
    "Qinghai": {"Xining": 1.0},
    "Ningxia": {"Yinchuan": 1.0},
    "Xinjiang": {"Urumqi": 1.0},
    "Tibet": {"Lhasa": 1.0},
}

# Where the named organisations of Tables 3 and 4 are.
NAMED_LOCATIONS = {
    # Table 3 (sample enterprises)
    "Huawei": ("Guangdong", "Shenzhen"),
    "Tencent": ("Guangdong", "Shenzhen"),
    "JD.com": ("Beijing", "Beijing"),
    "China Mobile": ("Beijing", "Beijing"),
    "Alibaba Cloud": ("Zhejiang", "Hangzhou"),
    "China Telecom": ("Beijing", "Beijing"),
    "Baidu": ("Beijing", "Beijing"),
    "China Unicom": ("Beijing", "Beijing"),
    "ZTE": ("Guangdong", "Shenzhen"),
    "Huawei Cloud": ("Guangdong", "Shenzhen"),
    "Tencent Cloud": ("Guangdong", "Shenzhen"),
    "Alibaba": ("Zhejiang", "Hangzhou"),
    "iFLYTEK": ("Anhui", "Hefei"),
    "DingTalk": ("Zhejiang", "Hangzhou"),
    "H3C": ("Zhejiang", "Hangzhou"),
    "Yonyou": ("Beijing", "Beijing"),
    "Xiaomi": ("Beijing", "Beijing"),
    "Terminus": ("Beijing", "Beijing"),
    "CloudWalk": ("Guangdong", "Guangzhou"),
    "Pinduoduo": ("Shanghai", "Shanghai"),
    # Table 4 (relation nodes)
    "Tsinghua University": ("Beijing", "Beijing"),
    "Intel": ("Beijing", "Beijing"),
    "Qualcomm": ("Shanghai", "Shanghai"),
    "Microsoft": ("Beijing", "Beijing"),
    "CAICT": ("Beijing", "Beijing"),
    "Peking University": ("Beijing", "Beijing"),
    "Zhejiang University": ("Zhejiang", "Hangzhou"),
    "Shanghai Jiao Tong University": ("Shanghai", "Shanghai"),
    "NVIDIA": ("Shanghai", "Shanghai"),
    "SAIC Motor": ("Shanghai", "Shanghai"),
    "Chinese Academy of Sciences": ("Beijing", "Beijing"),
    "Changan Automobile": ("Chongqing", "Chongqing"),
    "IBM": ("Beijing", "Beijing"),
    "Fudan University": ("Shanghai", "Shanghai"),
    "Arm China": ("Guangdong", "Shenzhen"),
    "Amazon": ("Beijing", "Beijing"),
    "OPPO": ("Guangdong", "Dongguan"),
    "Beihang University": ("Beijing", "Beijing"),
    "Chongqing Municipal Government": ("Chongqing", "Chongqing"),
    "Shanghai Municipal Government": ("Shanghai", "Shanghai"),
}

# Pieces for synthetic organisation names (pinyin-like brand syllables).
NAME_SYLLABLES = (
    "Zhi", "Yun", "Tian", "Hua", "Xin", "Rui", "Ke", "Da", "Hai", "Jing",
    "Chuang", "Shu", "Wei", "Ling", "Feng", "Qi", "Xing", "Bo", "Heng", "Tong",
    "Yuan", "Kang", "Lian", "Ming", "Sheng", "Tai", "Jia", "Guang", "An", "Hong",
)
ENTERPRISE_SUFFIXES = (
    "Technology", "Intelligence", "AI", "Robotics", "Data", "Vision",
    "Information", "Networks", "Software", "Cloud", "Semiconductor", "Digital",
)
INVESTOR_SUFFIXES = ("Capital", "Ventures", "Investment", "Partners", "Fund")
UNIVERSITY_SUFFIXES = ("University", "University of Technology",
                       "University of Science and Technology", "Normal University")
INSTITUTE_SUFFIXES = ("Institute of Artificial Intelligence", "Research Institute",
                      "Academy of Sciences", "Laboratory")
ALLIANCE_SUFFIXES = ("AI Industry Alliance", "Innovation Alliance",
                     "Open Source Alliance", "Industry Association")
GOVERNMENT_SUFFIXES = ("Municipal Government", "Development and Reform Commission",
                       "Bureau of Industry and Information Technology",
                       "Science and Technology Bureau")
OTHER_SUFFIXES = ("Hospital", "Foundation", "Industrial Park", "Exchange")
